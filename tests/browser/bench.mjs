// Training-step time in headless Chromium on its WebGPU adapter (SwiftShader here), through the
// page's wasm engine (`benchTraining`). Prints one JSON line per model. Needs `cargo xtask build-web`.
// Usage: node tests/browser/bench.mjs [steps]
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'web', 'dist');
const require = createRequire(join(root, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const file = join(dist, path === '/' ? 'index.html' : path);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;
const steps = Number(process.argv[2] ?? 3);
const browser = await chromium.launch({
  executablePath: process.env.PRUNELAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let failed = false;
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.prunelab !== undefined, null, { timeout: 120_000 });
  for (const [model, channels, size] of [['lenet300', 1, 28], ['resnet20', 3, 32]]) {
    const ms = await page.evaluate(
      ({ model, steps, channels, size }) => window.prunelab.benchTraining(model, 64, steps, channels, size),
      { model, steps, channels, size },
    );
    console.log(JSON.stringify({ model, backend: 'webgpu (headless chromium)', batch: 64, ms_per_step: Math.round(ms * 10) / 10, images_per_s: Math.round((64e3 / ms) * 10) / 10 }));
  }
} catch (e) {
  failed = true;
  console.error(`bench failed: ${e.message}`);
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
