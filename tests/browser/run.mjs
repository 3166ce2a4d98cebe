#!/usr/bin/env node
// Headless-Chromium test of the built playground (web/dist), driven by playwright-core.
//
//   node tests/browser/run.mjs          # every case
//   node tests/browser/run.mjs b c      # only some cases
//
// Needs: `cargo xtask build-web` (web/dist with the wasm and data/mnist), Debian's chromium at
// /usr/bin/chromium (or $PRUNELAB_CHROMIUM), and for case (a) a WebGPU adapter (Mesa's Vulkan
// drivers give a software one). Serves web/dist itself on 127.0.0.1 with a free port.
// Prints one line per case and a final `N passed, N failed`; exits non-zero on any failure.
// Screenshots go to tests/out/.

import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'web', 'dist');
const PKG = join(ROOT, 'web', 'pkg');
// Case k's page: the wasm-bindgen module alone (web/pkg), without the playground.
const KERNELS_PAGE = `<!doctype html><meta charset="utf-8"><title>prunelab kernels</title><script type="module">
import init, { checkKernels } from '/pkg/prunelab_wasm.js';
await init();
window.checkKernels = checkKernels;
</script>`;
const OUT = join(ROOT, 'tests', 'out');
const CHROMIUM = process.env.PRUNELAB_CHROMIUM || '/usr/bin/chromium';
const RUN_TIMEOUT_MS = 10 * 60 * 1000;
const QUICK_TIMEOUT_MS = 60 * 1000;

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** A static file server for web/dist on 127.0.0.1 (a free port). */
function serveDist() {
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === '/kernels.html') {
      res.writeHead(200, { 'content-type': MIME['.html'] }).end(KERNELS_PAGE);
      return;
    }
    const base = path.startsWith('/pkg/') ? PKG : DIST;
    let file = resolve(base, '.' + (base === PKG ? path.slice('/pkg'.length) : path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Open `hash`, wait for body[data-status] done|error; returns the status. */
async function openAndWait(page, base, hash, timeout) {
  await page.goto(`${base}/#${hash}`);
  await page.waitForFunction(
    () => ['done', 'error'].includes(document.body.dataset.status ?? ''),
    null,
    { timeout, polling: 250 },
  );
  return page.evaluate(() => document.body.dataset.status);
}

async function errorText(page) {
  const box = page.locator('#error');
  return (await box.isVisible()) ? (await box.innerText()).trim() : '';
}

const CASES = {
  a: {
    name: 'trains and prunes LeNet-300-100 on MNIST (1 cycle, AP-Pro)',
    hash:
      'model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=1&epochs=1&seed=1' +
      '&train_size=512&test_size=256&batch=64&autorun=1',
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      assert(status === 'done', `status is ${status}, not done: ${await errorText(page)}`);
      const run = JSON.parse(await page.locator('#results').textContent());
      assert(run.label === 'GM + AP-Pro', `results.label is ${run.label}, not 'GM + AP-Pro'`);
      assert(run.seed === 1 && typeof run.experiment === 'string', 'results lack seed / experiment');
      const results = run.cycles;
      assert(Array.isArray(results), 'results.cycles is not an array');
      assert(results.length === 2, `expected 2 cycle entries, got ${results.length}`);
      const [c0, c1] = results;
      assert(c0.remaining === 1, `entry 0 remaining is ${c0.remaining}, not 1`);
      assert(Math.abs(c1.remaining - 0.8) <= 0.01, `entry 1 remaining is ${c1.remaining}, not ≈0.8`);
      assert(c0.pruned?.ap > 0, `entry 0 pruned.ap is ${c0.pruned?.ap}, not > 0 (AP-Pro)`);
      for (const [i, c] of results.entries()) {
        assert(
          typeof c.test_accuracy === 'number' && c.test_accuracy >= 0 && c.test_accuracy <= 1,
          `entry ${i} test_accuracy ${c.test_accuracy} is not in [0, 1]`,
        );
        assert(
          c.dnr && typeof c.dnr.static === 'number' && typeof c.dnr.dynamic === 'number' &&
            Array.isArray(c.dnr.per_layer),
          `entry ${i} lacks dnr.static / dnr.dynamic / dnr.per_layer`,
        );
      }
      const rows = await page.locator('#cycle-rows tr').count();
      assert(rows === 2, `the results table has ${rows} rows, not 2`);
      return `accuracy ${results.map((c) => (c.test_accuracy * 100).toFixed(1) + '%').join(' → ')}`;
    },
  },
  b: {
    name: 'rejects q > p with a visible message',
    hash: 'model=lenet300&p=2&q=5&autorun=1',
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, QUICK_TIMEOUT_MS);
      const msg = await errorText(page);
      assert(status === 'error', `status is ${status}, not error`);
      assert(msg !== '', '#error is not visible');
      assert(/\bq\b/.test(msg), `the message does not mention q: "${msg}"`);
      return `"${msg}"`;
    },
  },
  d: {
    name: 'a second run in the same page reuses the WebGPU device',
    hash: 'model=lenet300&cycles=1&epochs=1&train_size=64&test_size=64&batch=32&seed=1&autorun=1',
    async check(page, base) {
      const first = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      assert(first === 'done', `first run: status ${first}: ${await errorText(page)}`);
      const before = await page.locator('#results').textContent();
      await page.evaluate(() => {
        location.hash = location.hash.replace('seed=1', 'seed=2');
      });
      await page.waitForFunction(
        (prev) => ['done', 'error'].includes(document.body.dataset.status) &&
          (document.body.dataset.status === 'error' || document.getElementById('results').textContent !== prev),
        before,
        { timeout: RUN_TIMEOUT_MS },
      );
      const status = await page.evaluate(() => document.body.dataset.status);
      assert(status === 'done', `second run: status ${status}: ${await errorText(page)}`);
      return 'two runs done';
    },
  },
  k: {
    name: "prunelab's WGSL kernels on Chromium's WebGPU match their plain-Rust twins",
    async check(page, base) {
      await page.goto(`${base}/kernels.html`);
      await page.waitForFunction(() => window.checkKernels !== undefined, null, { timeout: QUICK_TIMEOUT_MS });
      const r = await page.evaluate(() => window.checkKernels());
      assert(r.cases === 10, `checked ${r.cases} cases, not 10`);
      assert(r.launches >= 10, `only ${r.launches} kernel launches`);
      return `${r.cases} cases, ${r.launches} launches, worst relative error ${r.worst_error.toExponential(1)}`;
    },
  },
  c: {
    name: 'without navigator.gpu shows the WebGPU notice',
    hash: 'model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=1&epochs=1&seed=1&autorun=1',
    async init(page) {
      await page.addInitScript(() => {
        delete Navigator.prototype.gpu;
        delete navigator.gpu;
      });
    },
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, QUICK_TIMEOUT_MS);
      assert(await page.evaluate(() => !('gpu' in navigator)), 'navigator.gpu is still there');
      const msg = await errorText(page);
      assert(status === 'error', `status is ${status}, not error`);
      assert(msg.includes('WebGPU is not available'), `no visible WebGPU notice: "${msg}"`);
      return 'notice shown';
    },
  },
};

async function main() {
  const only = process.argv.slice(2);
  const selected = Object.keys(CASES).filter((k) => only.length === 0 || only.includes(k));
  if (selected.length === 0) {
    console.error(`no such case: ${only.join(' ')} (cases: ${Object.keys(CASES).join(' ')})`);
    return 2;
  }
  if (!existsSync(join(DIST, 'index.html'))) {
    console.error(`${DIST}/index.html is missing: run \`cargo xtask build-web\` first`);
    console.log(`0 passed, ${selected.length} failed`);
    return 1;
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is missing: run \`cargo xtask setup\` as root (installs Debian's chromium)`);
    console.log(`0 passed, ${selected.length} failed`);
    return 1;
  }
  let chromium;
  try {
    const require = createRequire(join(ROOT, 'web', 'package.json'));
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    console.error(`playwright-core is not installed in web/node_modules (run \`cargo xtask setup\`): ${e.message}`);
    console.log(`0 passed, ${selected.length} failed`);
    return 1;
  }

  mkdirSync(OUT, { recursive: true });
  const server = await serveDist();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  console.log(`chromium ${browser.version()}, serving ${DIST} at ${base}`);

  let passed = 0;
  let failed = 0;
  try {
    for (const key of selected) {
      const tc = CASES[key];
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') {
          console.log(`  [${key}] console.${msg.type()}: ${msg.text()}`);
        }
      });
      page.on('pageerror', (err) => console.log(`  [${key}] page error: ${err.message}`));
      const started = Date.now();
      let detail;
      let error;
      try {
        if (tc.init) await tc.init(page);
        detail = await tc.check(page, base);
      } catch (e) {
        error = e;
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const shot = join(OUT, `browser-${key}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      if (error) {
        failed += 1;
        console.log(`FAIL (${key}) ${tc.name} [${secs} s]: ${error.message.split('\n')[0]}  (screenshot ${shot})`);
      } else {
        passed += 1;
        console.log(`ok   (${key}) ${tc.name} [${secs} s]: ${detail}`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`browser test crashed: ${e.stack ?? e}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
