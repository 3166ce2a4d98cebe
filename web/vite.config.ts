import { defineConfig } from 'vite';

// `base: './'` keeps every URL relative, so web/dist works from any path (and file-less static hosts).
// Serve on 127.0.0.1: browsers expose navigator.gpu only in secure contexts (localhost counts).
export default defineConfig({
  base: './',
  build: { target: 'es2022' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
