import { defineConfig } from 'vite';

// `base: './'` keeps every URL relative, so web/dist works from any path (and file-less static hosts).
// Serve on 127.0.0.1: browsers expose navigator.gpu only in secure contexts (localhost counts).
// Two entries: the page (index.html) and the <prunelab-playground> web component, whose file
// keeps a fixed name (dist/prunelab-playground.js) so course pages can link it.
export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    rollupOptions: {
      input: { index: 'index.html', 'prunelab-playground': 'src/component.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'prunelab-playground' ? 'prunelab-playground.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: { host: '127.0.0.1' },
  // CORS: course pages on other origins load dist/prunelab-playground.js as a module script.
  preview: { host: '127.0.0.1', cors: true },
});
