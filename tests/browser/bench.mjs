// Browser training throughput in headless Chromium, prunelab against TF.js on the same adapter:
// - prunelab on WebGPU (the page's wasm engine, `benchTrainingOn`; its WGSL kernels on, and off
//   for before/after) vs TF.js's WebGPU backend;
// - prunelab's CPU path (wasm, burn's flex backend) vs TF.js's wasm backend (conv gradients
//   through tf.customGrad: bench/browser/tfjs-train.js).
// Prints one JSON line per figure, and one with the WebGPU adapter. Needs `cargo xtask build-web`
// (web/pkg) and the TF.js packages in bench/browser/node_modules (`npm ci` there).
// Usage: node tests/browser/bench.mjs [--quick]
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = join(root, 'web', 'pkg');
// The wasm engine on a page of its own (the playground's page keeps its own WebGPU device).
const ourPage = `<!doctype html><meta charset="utf-8"><title>prunelab bench</title><script type="module">
import init, { benchTrainingOn } from '/pkg/prunelab_wasm.js';
await init();
window.prunelabBench = { benchTrainingOn };
</script>`;
const peers = join(root, 'bench', 'browser');
const require = createRequire(join(root, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const quick = process.argv.includes('--quick');
// Software WebGPU adapters run at well under a GFLOP/s: few steps, batch 64.
const plan = [
  ['lenet300', 1, 28, quick ? 2 : 5],
  ['cnn', 1, 28, quick ? 1 : 2],
  ['resnet20', 3, 32, 1],
];
const batch = 64;

for (const [need, what] of [[join(pkg, 'prunelab_wasm.js'), 'run `cargo xtask build-web`'], [join(peers, 'node_modules', '@tensorflow', 'tfjs'), 'run `npm ci` in bench/browser']]) {
  if (!existsSync(need)) {
    console.error(`${need} is missing: ${what}`);
    process.exit(1);
  }
}

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(ourPage);
    return;
  }
  const [base, rest] = path.startsWith('/bench/') ? [peers, path.slice('/bench/'.length)] : [pkg, path.replace(/^\/pkg\//, '')];
  try {
    const file = join(base, normalize(rest).replace(/^(\.\.[/\\])+/, ''));
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.PRUNELAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const line = (engine, model, ms) => console.log(JSON.stringify({ engine, model, batch, ms_per_step: Math.round(ms * 10) / 10, images_per_s: Math.round((batch * 1e4) / ms) / 10 }));
let failed = false;
try {
  const ours = await browser.newPage();
  await ours.goto(url);
  await ours.waitForFunction(() => window.prunelabBench !== undefined, null, { timeout: 120_000 });
  const theirs = await browser.newPage();
  await theirs.goto(`${url}bench/tfjs.html`);
  await theirs.waitForFunction(() => window.tfjsBench !== undefined && window.tf !== undefined, null, { timeout: 120_000 });
  const adapter = await theirs.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    const i = a?.info ?? {};
    return a ? [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unnamed adapter' : null;
  });
  console.log(JSON.stringify({ chromium: browser.version(), webgpu_adapter: adapter }));
  const gradError = await theirs.evaluate(() => window.tfjsCheckConvGrad());
  console.log(JSON.stringify({ tfjs_wasm_conv_grad_max_error: gradError }));
  const prunelab = (backend, kernels, a) => ours.evaluate(([backend, kernels, a]) => window.prunelabBench.benchTrainingOn(backend, kernels, a.model, a.batch, a.steps, a.channels, a.size), [backend, kernels, a]);
  for (const [model, channels, size, steps] of plan) {
    const args = { model, batch, steps, channels, size };
    line('prunelab-webgpu', model, await prunelab('webgpu', true, args));
    if (!(quick && model === 'resnet20')) line('prunelab-webgpu-burn-ops', model, await prunelab('webgpu', false, args));
    line('tfjs-webgpu', model, await theirs.evaluate((a) => window.tfjsBench('webgpu', a.model, a.batch, a.steps), args));
    line('prunelab-wasm-cpu', model, await prunelab('cpu', false, args));
    line('tfjs-wasm', model, await theirs.evaluate((a) => window.tfjsBench('wasm', a.model, a.batch, a.steps), args));
  }
} catch (e) {
  failed = true;
  console.error(`bench failed: ${e.message}`);
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
