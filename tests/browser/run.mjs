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
// Screenshots go to tests/out/. Cases h (export) run the CLI: $PRUNELAB_BIN, else
// target/{debug,release}/prunelab under $CARGO_TARGET_DIR or the repository.

import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
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
    // Precompressed copies (web/scripts/compress.mjs), as a static host serves them.
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    const accepts = String(req.headers['accept-encoding'] ?? '');
    const encoding = ['br', 'gzip'].find((e) => accepts.includes(e) && existsSync(`${file}.${e === 'br' ? 'br' : 'gz'}`));
    if (encoding) file = `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
    res.writeHead(200, {
      'content-type': type,
      ...(encoding ? { 'content-encoding': encoding, vary: 'accept-encoding' } : {}),
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
      // the <prunelab-playground> module script is loaded by pages of other origins (case i)
      'access-control-allow-origin': '*',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

/** A server on 127.0.0.1 (a free port, so its own origin) answering `routes[path]()` (HTML, or bytes). */
function serveHtml(routes) {
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) return res.writeHead(404).end();
    const body = route();
    const type = typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'access-control-allow-origin': '*' }).end(body);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

const origin = (server) => `http://127.0.0.1:${server.address().port}`;

/** The prunelab CLI binary, for the export case. */
function cliBinary() {
  const targets = [process.env.CARGO_TARGET_DIR, join(ROOT, 'target')].filter(Boolean);
  const found = [process.env.PRUNELAB_BIN, ...targets.flatMap((t) => [join(t, 'debug', 'prunelab'), join(t, 'release', 'prunelab')])]
    .filter(Boolean)
    .find((p) => existsSync(p));
  assert(found, 'no prunelab binary: build it (cargo build -p prunelab-cli) or set PRUNELAB_BIN');
  return found;
}

/** A ustar archive of `files` (path → bytes), as `tar cf` writes one. */
function tar(files) {
  const blocks = [];
  for (const [path, bytes] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    header.write(path, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${bytes.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    const sum = header.reduce((a, b) => a + b, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

/** Wait until body[data-status] is one of `states`. */
async function waitStatus(page, states, timeout = RUN_TIMEOUT_MS) {
  await page.waitForFunction((s) => s.includes(document.body.dataset.status ?? ''), states, { timeout, polling: 100 });
  return page.evaluate(() => document.body.dataset.status);
}

const TINY = 'train_size=256&test_size=128&batch=64';

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
      // Figures for the report (not assertions): bytes over the wire before the data and time
      // from navigation to the first training step.
      const { bytes, first } = await page.evaluate(() => ({
        bytes: performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
          .filter((e) => !e.name.includes('/data/'))
          .reduce((n, e) => n + e.transferSize, 0),
        first: Number(document.body.dataset.firstStepMs),
      }));
      return `accuracy ${results.map((c) => (c.test_accuracy * 100).toFixed(1) + '%').join(' → ')}; ` +
        `page transferred ${(bytes / 1e6).toFixed(2)} MB (MNIST not counted), first training step ${(first / 1000).toFixed(1)} s after navigation`;
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
    name: 'WebGPU disabled: a visible notice, and the run goes on on the CPU (flex)',
    hash: `model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=1&epochs=1&seed=1&${TINY}&autorun=1`,
    async init(page) {
      await page.addInitScript(() => {
        delete Navigator.prototype.gpu;
        delete navigator.gpu;
      });
    },
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      assert(await page.evaluate(() => !('gpu' in navigator)), 'navigator.gpu is still there');
      assert(status === 'done', `status is ${status}, not done: ${await errorText(page)}`);
      const notice = page.locator('#backend-notice');
      assert(await notice.isVisible(), 'no visible fallback notice');
      const text = await notice.innerText();
      assert(text.includes('WebGPU is not available') && text.includes('CPU'), `notice: "${text}"`);
      assert((await page.evaluate(() => document.body.dataset.backend)) === 'cpu', 'backend is not cpu');
      const run = JSON.parse(await page.locator('#results').textContent());
      assert(run.cycles.length === 2 && run.cycles[1].remaining < 0.81, 'the CPU run did not prune');
      return `CPU run: accuracy ${run.cycles.map((c) => (c.test_accuracy * 100).toFixed(1) + '%').join(' → ')}`;
    },
  },
  e: {
    name: 'controls write the URL; a URL (junk included), back and forward restore the controls; 375 px wide',
    async check(page, base) {
      await page.goto(`${base}/#model=lenet300&p=20&q=2&seed=1&hide=method,seed`);
      await waitStatus(page, ['idle'], QUICK_TIMEOUT_MS);
      assert(!(await page.locator('#ctl-method').isVisible()), 'hide=method left the method control visible');
      assert(!(await page.locator('#ctl-seed').isVisible()), 'hide=seed left the seed control visible');
      await page.locator('#ctl-p').fill('30');
      await page.locator('#ctl-p').press('Tab');
      await page.locator('#ctl-ap').selectOption('lite');
      await page.locator('#ctl-q-unset').check();
      const hash = await page.evaluate(() => location.hash);
      for (const part of ['p=30', 'ap=lite', 'q=auto', 'hide=method,seed']) assert(hash.includes(part), `URL ${hash} lacks ${part}`);
      await page.goBack();
      await page.waitForFunction(() => document.querySelector('#ctl-q-unset').checked === false);
      assert((await page.locator('#ctl-ap').inputValue()) === 'lite', 'back: ap is not lite');
      await page.goBack();
      await page.waitForFunction(() => document.querySelector('#ctl-ap').value === 'pro');
      await page.goBack();
      await page.waitForFunction(() => document.querySelector('#ctl-p').value === '20');
      await page.goForward();
      await page.waitForFunction(() => document.querySelector('#ctl-p').value === '30');
      await page.evaluate(() => (location.hash = '#model=cnn&p=abc&zzz=1&epochs=4&ap=none&q=auto'));
      await page.waitForFunction(() => document.querySelector('#ctl-model').value === 'cnn');
      assert((await page.locator('#ctl-epochs').inputValue()) === '4', 'epochs control is not 4');
      assert((await page.locator('#ctl-p').inputValue()) === '20', 'p=abc did not fall back to 20');
      const notes = await page.locator('#notices li').allInnerTexts();
      assert(notes.length === 2 && notes[0].includes('abc') && notes[1].includes('zzz'), `notices: ${JSON.stringify(notes)}`);
      assert(await page.locator('#notices').isVisible(), 'notices are not visible');
      await page.evaluate(() => (location.hash = '#p=2&q=5'));
      await page.waitForFunction(() => !document.getElementById('check').hidden, null, { timeout: QUICK_TIMEOUT_MS });
      const check = await page.locator('#check').innerText();
      assert(check.includes('q (5) must be between 0 and p (2)'), `no live check of q > p: "${check}"`);
      await page.evaluate(() => (location.hash = '#model=cnn&p=abc&zzz=1&epochs=4&ap=none&q=auto'));
      await page.waitForFunction(() => document.getElementById('check').hidden, null, { timeout: QUICK_TIMEOUT_MS });
      await page.setViewportSize({ width: 375, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(overflow <= 375, `the page is ${overflow} px wide at 375 px`);
      await page.locator('#ctl-model').focus();
      await page.keyboard.press('Tab');
      const next = await page.evaluate(() => document.activeElement?.id);
      assert(next === 'ctl-data', `Tab from the model control went to ${next}`);
      const keys = spawnSync(cliBinary(), ['keys', '--json'], { encoding: 'utf8' });
      assert(keys.status === 0, `prunelab keys failed: ${keys.stderr}`);
      const names = JSON.parse(keys.stdout).map((k) => k.name);
      const fields = await page.evaluate(() => [...document.querySelectorAll('.control[data-key]')].map((c) => c.dataset.key));
      const missing = names.filter((n) => !fields.includes(n));
      assert(names.length > 30 && missing.length === 0, `keys without a control: ${missing.join(', ')}`);
      return `URL ${hash}; 2 notices; ${overflow} px at 375; ${names.length} keys, a control each`;
    },
  },
  f: {
    name: 'a tiny lesson (GM vs AP-Pro) runs to the end: two overlaid runs, masks, dead-unit map',
    hash: `model=lenet300&data=mnist&method=gm&ap=pro&p=50&q=5&cycles=1&epochs=1&seed=1&${TINY}&lesson=gm-vs-ap-pro&compare=ap:none&autorun=1`,
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      assert(status === 'done', `status is ${status}: ${await errorText(page)}`);
      assert(await page.locator('#lesson').isVisible(), 'the lesson panel is not shown');
      const title = await page.locator('#lesson h2').innerText();
      assert(title.includes('AP-Pro'), `lesson title: ${title}`);
      const rows = await page.locator('#cycle-rows tr').count();
      assert(rows === 4, `${rows} result rows, not 4 (2 runs × 2 cycles)`);
      const legend = await page.locator('#view-lambda .u-legend').innerText();
      assert(legend.includes('GM + AP-Pro') && /GM \(seed/.test(legend), `λ chart legend: ${legend}`);
      const masks = await page.locator('#view-masks .mask-layer').count();
      assert(masks === 3, `${masks} mask layers, not 3`);
      const heat = await page.locator('#view-density tbody tr').count();
      assert(heat === 2, `${heat} heat-map rows, not 2 (LeNet's ReLU layers)`);
      await page.locator('#dead-index').fill('3');
      await page.locator('#view-dead button').click();
      await page.waitForSelector('#view-dead .dead-layer', { timeout: QUICK_TIMEOUT_MS });
      const layers = await page.locator('#view-dead .dead-layer').count();
      assert(layers === 2, `${layers} dead-unit layers, not 2`);
      const cells = await page.locator('#view-dead .dead-cells span').count();
      assert(cells === 400, `${cells} dead-unit cells, not 300 + 100`);
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
      const path = join(mkdtempSync(join(tmpdir(), 'prunelab-compare-')), 'results.json');
      await dl.saveAs(path);
      const exported = JSON.parse(readFileSync(path, 'utf8'));
      assert(Array.isArray(exported) && exported.length === 2 && exported.every((r) => r.cycles.length === 2), `the JSON export holds ${JSON.stringify(exported).slice(0, 120)}, not both compared runs`);
      return `${rows} rows, λ legend ok, ${masks} masks, dead map ${cells} units, JSON export of both runs`;
    },
  },
  g: {
    name: 'pause holds the training steps, resume finishes the run',
    hash: 'model=lenet300&cycles=1&epochs=1&seed=1&train_size=2048&test_size=128&batch=32&autorun=1',
    async check(page, base) {
      await page.goto(`${base}/#${this.hash}`);
      await page.waitForFunction(() => Number(document.body.dataset.steps ?? 0) >= 8, null, { timeout: RUN_TIMEOUT_MS });
      await page.locator('#pause').click();
      assert((await waitStatus(page, ['paused', 'done', 'error'], QUICK_TIMEOUT_MS)) === 'paused', 'not paused');
      await page.waitForTimeout(300);
      const held = await page.evaluate(() => document.body.dataset.steps);
      await page.waitForTimeout(2000);
      const later = await page.evaluate(() => document.body.dataset.steps);
      assert(held === later, `steps went on while paused: ${held} → ${later}`);
      assert((await page.locator('#pause').getAttribute('aria-pressed')) === 'true', 'Pause is not pressed');
      await page.screenshot({ path: join(OUT, 'browser-g-paused.png'), fullPage: true });
      await page.locator('#pause').click();
      const status = await waitStatus(page, ['done', 'error', 'stopped']);
      assert(status === 'done', `after resume: ${status}: ${await errorText(page)}`);
      const run = JSON.parse(await page.locator('#results').textContent());
      assert(run.cycles.length === 2, 'the resumed run did not finish both trainings');
      return `held at ${held} steps for 2 s, then done`;
    },
  },
  h: {
    name: 'exports: results JSON re-imported by `prunelab report`, CSV, safetensors read by `prunelab dnr`',
    hash: `model=lenet300&cycles=1&epochs=1&seed=1&${TINY}&autorun=1`,
    async check(page, base) {
      const bin = cliBinary();
      const status = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      assert(status === 'done', `status is ${status}: ${await errorText(page)}`);
      const dir = mkdtempSync(join(tmpdir(), 'prunelab-export-'));
      const save = async (button, path) => {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
        mkdirSync(dirname(path), { recursive: true });
        await dl.saveAs(path);
        return dl.suggestedFilename();
      };
      const json = await save('#export-json', join(dir, 'runs', 'browser', 'results.json'));
      assert(json === 'results.json', `JSON download named ${json}`);
      const csvName = await save('#export-csv', join(dir, 'results.csv'));
      const csv = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n');
      assert(csvName === 'results.csv' && csv.length === 3 && csv[0].startsWith('label,seed'), `CSV: ${csv[0]} (${csv.length} lines)`);
      const model = await save('#export-model', join(dir, 'model.safetensors'));
      const report = spawnSync(bin, ['report', join(dir, 'runs')], { encoding: 'utf8' });
      assert(report.status === 0, `prunelab report failed: ${report.stderr}`);
      const md = readFileSync(join(dir, 'runs', 'report.md'), 'utf8');
      assert(md.includes('GM + AP-Pro'), 'report.md does not list the browser run');
      const dnr = spawnSync(bin, ['dnr', '--model', 'lenet300', '--checkpoint', join(dir, 'model.safetensors'), '--images', join(DIST, 'data/mnist/t10k-images-idx3-ubyte'), '--backend', 'flex'], { encoding: 'utf8' });
      assert(dnr.status === 0, `prunelab dnr failed: ${dnr.stderr}`);
      const parsed = JSON.parse(dnr.stdout);
      assert(Array.isArray(parsed.per_layer) && parsed.per_layer.length === 2, `dnr output: ${dnr.stdout.slice(0, 200)}`);
      writeFileSync(join(OUT, 'browser-h-report.md'), md);
      return `report.md (${md.length} bytes), ${model} → dnr static ${parsed.static.toFixed(4)}`;
    },
  },
  i: {
    name: 'embedded <prunelab-playground> driven by postMessage; a foreign origin is ignored',
    async check(page, base) {
      let host;
      const foreign = await serveHtml({
        '/foreign.html': () => '<!doctype html><script>for (let i = 0; i < parent.frames.length; i++) parent.frames[i].postMessage({ prunelab: "start" }, "*");</script>',
      });
      host = await serveHtml({
        '/host.html': () => `<!doctype html><html><head><meta charset="utf-8"><title>course page</title>
<script type="module" src="${base}/prunelab-playground.js"></script></head>
<body><h1>A course page</h1>
<prunelab-playground src="${base}/" class="course-embed" model="lenet300" cycles="1" epochs="1" seed="1" train_size="256" test_size="128" batch="64" rho_threshold="0.031" hide="method" height="700px"></prunelab-playground>
<iframe id="foreign" title="foreign" style="width:200px;height:40px"></iframe>
<script>
  window.events = [];
  const pg = document.querySelector('prunelab-playground');
  for (const k of ['ready', 'state', 'status', 'done']) pg.addEventListener('prunelab-' + k, (e) => window.events.push(e.detail));
</script></body></html>`,
      });
      try {
        await page.goto(`${origin(host)}/host.html`);
        await page.waitForFunction(() => window.events.some((e) => e.prunelab === 'ready'), null, { timeout: QUICK_TIMEOUT_MS });
        const frame = page.frames().find((f) => f.url().startsWith(base));
        assert(frame, 'the playground frame is missing');
        assert(!(await frame.locator('#ctl-method').isVisible()), 'hide=method did not hide the control in the embed');
        assert((await frame.locator('#ctl-rho_threshold').inputValue()) === '0.031', 'the density key rho_threshold did not reach the embed');
        const notices = await frame.locator('#notices').textContent();
        assert(!notices.includes('class'), `the element's own class attribute reached the page: ${notices}`);
        await page.evaluate((src) => (document.getElementById('foreign').src = src), `${origin(foreign)}/foreign.html`);
        await page.waitForFunction(() => document.getElementById('foreign').contentWindow !== null, null, { timeout: QUICK_TIMEOUT_MS });
        await frame.waitForFunction(() => document.body.dataset.ignoredMessages === '1', null, { timeout: QUICK_TIMEOUT_MS });
        assert((await frame.evaluate(() => document.body.dataset.status)) === 'idle', 'the foreign message started a run');
        await page.evaluate(() => document.querySelector('prunelab-playground').setAttribute('p', '30'));
        await frame.waitForFunction(() => document.querySelector('#ctl-p').value === '30', null, { timeout: QUICK_TIMEOUT_MS });
        await page.waitForFunction(() => window.events.some((e) => e.prunelab === 'state' && e.hash.includes('p=30')), null, { timeout: QUICK_TIMEOUT_MS });
        await page.evaluate(() => document.querySelector('prunelab-playground').start());
        await page.waitForFunction(() => window.events.some((e) => e.prunelab === 'done'), null, { timeout: RUN_TIMEOUT_MS, polling: 250 });
        const results = await page.evaluate(() => document.querySelector('prunelab-playground').getResults());
        assert(Array.isArray(results) && results.length === 1 && results[0].cycles.length === 2, `getResults: ${JSON.stringify(results).slice(0, 200)}`);
        assert(Math.abs(results[0].cycles[1].remaining - 0.7) < 0.01, 'the run did not use p=30 from the attribute');
        assert(results[0].experiment.includes('rho_threshold=0.031'), `the density key is not in the run's state: ${results[0].experiment}`);
        return `rho_threshold passed through; 1 foreign message ignored; run driven by postMessage; λ ${results[0].cycles[1].remaining.toFixed(3)}`;
      } finally {
        host?.close();
        foreign.close();
      }
    },
  },
  p: {
    name: 'embedding edges: start() before ready is queued, a fallback text is replaced, a file:// page gets a notice and a rejection',
    async check(page, base) {
      const element = `<prunelab-playground src="${base}/" model="lenet300" cycles="1" epochs="1" seed="1" train_size="256" test_size="128" batch="64" height="600px"><p id="fallback">The playground did not load.</p></prunelab-playground>`;
      const host = await serveHtml({
        '/host.html': () => `<!doctype html><meta charset="utf-8"><title>course page</title>
<script type="module" src="${base}/prunelab-playground.js"></script>
${element}
<script type="module">
  window.events = [];
  const pg = document.querySelector('prunelab-playground');
  for (const k of ['ready', 'done']) pg.addEventListener('prunelab-' + k, (e) => window.events.push(e.detail.prunelab));
  await customElements.whenDefined('prunelab-playground');
  pg.start();
</script>`,
      });
      try {
        await page.goto(`${origin(host)}/host.html`);
        await page.waitForFunction(() => window.events.includes('done'), null, { timeout: RUN_TIMEOUT_MS, polling: 250 });
        assert((await page.locator('#fallback').count()) === 0, 'the fallback text is still shown');
      } finally {
        host.close();
      }
      const dir = mkdtempSync(join(tmpdir(), 'prunelab-file-'));
      writeFileSync(join(dir, 'course.html'), `<!doctype html><meta charset="utf-8"><title>from disk</title>
<script type="module" src="${base}/prunelab-playground.js"></script>${element}`);
      await page.goto(`file://${join(dir, 'course.html')}`);
      await page.waitForSelector('.prunelab-file-notice', { timeout: QUICK_TIMEOUT_MS });
      const answer = await page.evaluate(() => document.querySelector('prunelab-playground').getState().then(() => 'resolved', (e) => e.message));
      assert(answer.includes('file://'), `getState() on a file:// page: ${answer}`);
      return 'start() before ready ran to done; fallback replaced; file:// notice and rejection';
    },
  },
  j: {
    name: 'CIFAR-10: the CLI web export fetched in chunks from a cifar= URL, dropped .bin files, the dropped official tarball, and what to do without any (CPU)',
    async check(page, base) {
      const bin = cliBinary();
      const dir = mkdtempSync(join(tmpdir(), 'prunelab-cifar-'));
      mkdirSync(join(dir, 'cifar10'));
      const records = (n, salt) => {
        const out = Buffer.alloc(n * 3073);
        for (let i = 0; i < n; i += 1) {
          out[i * 3073] = i % 10;
          for (let p = 0; p < 3072; p += 1) out[i * 3073 + 1 + p] = ((p >> 5) % 10 === i % 10 ? 220 : 20) + ((p * 7 + i + salt) % 30);
        }
        return out;
      };
      for (let f = 1; f <= 5; f += 1) writeFileSync(join(dir, 'cifar10', `data_batch_${f}.bin`), records(40, f));
      writeFileSync(join(dir, 'cifar10', 'test_batch.bin'), records(30, 9));
      const web = join(dir, 'web');
      const exp = spawnSync(bin, ['data', 'web-export', 'cifar10', '--data', dir, '--out', web, '--chunk', '64'], { encoding: 'utf8' });
      assert(exp.status === 0, `web-export failed: ${exp.stderr}`);
      const files = serveHtml(Object.fromEntries(['manifest.json', 'train-00.bin', 'train-01.bin', 'train-02.bin', 'train-03.bin', 'test-00.bin']
        .map((f) => [`/${f}`, () => readFileSync(join(web, f))])));
      const server = await files;
      try {
        const hash = `model=lenet300&data=cifar10&ap=pro&p=20&q=2&cycles=1&epochs=1&seed=1&batch=50&backend=cpu&cifar=${encodeURIComponent(`${origin(server)}/manifest.json`)}&autorun=1`;
        const status = await openAndWait(page, base, hash, RUN_TIMEOUT_MS);
        assert(status === 'done', `URL run: ${status}: ${await errorText(page)}`);
        const run = JSON.parse(await page.locator('#results').textContent());
        assert(run.experiment.includes('data=cifar10') && run.cycles.length === 2, 'not a CIFAR-10 run');
      } finally {
        server.close();
      }
      await page.goto(`${base}/#model=lenet300&data=mnist&cycles=1&epochs=1&seed=1&batch=50&backend=cpu`);
      await page.reload();
      await waitStatus(page, ['idle'], QUICK_TIMEOUT_MS);
      await page.locator('#drop-input').setInputFiles(join(dir, 'cifar10', 'data_batch_1.bin'));
      await page.waitForFunction(() => document.getElementById('drop').dataset.loaded === 'true', null, { timeout: QUICK_TIMEOUT_MS });
      assert((await page.locator('#ctl-data').inputValue()) === 'cifar10', 'dropping CIFAR files did not switch data to cifar10');
      await page.locator('#run').click();
      const status = await waitStatus(page, ['done', 'error']);
      assert(status === 'done', `dropped-file run: ${status}: ${await errorText(page)}`);
      const line = await page.locator('#results').textContent();
      assert(JSON.parse(line).experiment.includes('data=cifar10'), 'the dropped-file run is not CIFAR-10');
      // No CIFAR-10 beside the page: the check says what to do, the CIFAR-10 preset is disabled;
      // the official tarball's layout, gzipped, dropped on the page, trains.
      await page.goto(`${base}/#model=lenet300&data=cifar10&cycles=1&epochs=1&seed=1&batch=50&backend=cpu`);
      await page.reload();
      await waitStatus(page, ['idle'], QUICK_TIMEOUT_MS);
      await page.waitForFunction(() => document.getElementById('check').textContent.includes('cifar-10-binary.tar.gz'), null, { timeout: QUICK_TIMEOUT_MS });
      const presets = await page.evaluate(() => [...document.querySelectorAll('#preset option')].filter((o) => o.value.includes('data=cifar10')).map((o) => o.disabled));
      assert(presets.length > 0 && presets.every(Boolean), `the CIFAR-10 presets are not disabled without CIFAR-10: ${presets}`);
      const tarball = join(dir, 'cifar-10-binary.tar.gz');
      writeFileSync(tarball, gzipSync(tar({
        'cifar-10-batches-bin/batches.meta.txt': Buffer.from('airplane\nautomobile\n'),
        'cifar-10-batches-bin/data_batch_1.bin': records(40, 1),
        'cifar-10-batches-bin/data_batch_2.bin': records(40, 2),
        'cifar-10-batches-bin/test_batch.bin': records(30, 9),
      })));
      await page.locator('#drop-input').setInputFiles(tarball);
      await page.waitForFunction(() => document.getElementById('drop').dataset.loaded === 'true', null, { timeout: QUICK_TIMEOUT_MS });
      assert(await page.locator('#check').isHidden(), `the check still shows: ${await page.locator('#check').textContent()}`);
      await page.locator('#run').click();
      const fromTar = await waitStatus(page, ['done', 'error']);
      assert(fromTar === 'done', `tarball run: ${fromTar}: ${await errorText(page)}`);
      const tarRun = JSON.parse(await page.locator('#results').textContent());
      assert(tarRun.experiment.includes('data=cifar10'), 'the tarball run is not CIFAR-10');
      return 'web export (4 + 1 chunks), a dropped data_batch_1.bin (34 train / 6 test) and the dropped tarball (80 / 30) all trained; without data the check says where to get it';
    },
  },
  l: {
    name: 'per-step progress next to Run; Stop says Stopping… at once and ends the run: status stopped, no error, Run enabled again',
    hash: 'model=lenet300&cycles=2&epochs=1&seed=1&train_size=2048&test_size=128&batch=32&autorun=1',
    async check(page, base) {
      await page.goto(`${base}/#${this.hash}`);
      await page.waitForFunction(() => Number(document.body.dataset.steps ?? 0) >= 8, null, { timeout: RUN_TIMEOUT_MS });
      // 2048 images / 32 = 64 steps an epoch, 3 trainings
      await page.waitForFunction(() => /^step [\d,]+ of ≈ 192 · [\d.]+ steps\/s/.test(document.getElementById('step-progress').textContent), null, { timeout: 5_000 });
      const progress = await page.locator('#step-progress').textContent();
      const said = await page.evaluate(() => {
        document.getElementById('stop').click();
        return document.getElementById('status-line').textContent;
      });
      assert(said === 'Stopping…', `Stop does not say Stopping… at once: "${said}"`);
      const status = await waitStatus(page, ['stopped', 'done', 'error'], QUICK_TIMEOUT_MS);
      assert(status === 'stopped', `status ${status}: ${await errorText(page)}`);
      assert((await errorText(page)) === '', 'stopping showed an error');
      assert(await page.locator('#run').isEnabled(), 'Run is not enabled after Stop');
      return `"${progress}"; stopped after ${await page.evaluate(() => document.body.dataset.steps)} steps`;
    },
  },
  n: {
    name: 'junk numbers in the hash (inf, NaN, 1e999, 1e400, 200 000 digits): the page loads, names the key, stays usable',
    async check(page, base) {
      const junk = [['p', 'inf'], ['p', 'NaN'], ['p', '1e999'], ['lr', '1e400'], ['momentum', '1e999'], ['lr', '9'.repeat(200000)]];
      for (const [key, value] of junk) {
        await page.goto(`${base}/#model=cnn&${key}=${value}`);
        await waitStatus(page, ['idle'], QUICK_TIMEOUT_MS);
        assert(await page.locator('#run').isEnabled(), `#${key}=${value.slice(0, 12)}: Run is disabled`);
        const notes = await page.locator('#notices li').allInnerTexts();
        assert(notes.length === 1 && notes[0].includes(key) && notes[0].length < 200, `#${key}=${value.slice(0, 12)}: notices ${JSON.stringify(notes).slice(0, 300)}`);
        assert((await page.locator('#ctl-model').inputValue()) === 'cnn', `#${key}=${value.slice(0, 12)}: the other keys were lost`);
      }
      await page.evaluate(() => (location.hash = '#model=lenet300&p=30'));
      await page.waitForFunction(() => document.querySelector('#ctl-p').value === '30', null, { timeout: QUICK_TIMEOUT_MS });
      return `${junk.length} junk hashes loaded with a notice each; a good hash afterwards applies`;
    },
  },
  o: {
    name: 'a diverging run (lr = 10⁶) stops with the engine\'s message naming cycle, epoch and step',
    hash: `model=lenet300&${TINY}&lr=1000000&cycles=1&epochs=1&backend=cpu&autorun=1`,
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      const msg = await errorText(page);
      assert(status === 'error', `status is ${status}, not error`);
      assert(/training diverged at cycle 0, epoch 0, step \d+/.test(msg), `the message does not say where: "${msg}"`);
      return `"${msg}"`;
    },
  },
  q: {
    name: "a Global Taylor run is labelled as the engine labels it (GT + AP-Pro) in the table, the status and the results",
    hash: `model=lenet300&method=taylor&taylor_batches=1&cycles=1&epochs=1&train_size=64&test_size=64&batch=32&seed=1&backend=cpu&autorun=1`,
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      assert(status === 'done', `status is ${status}: ${await errorText(page)}`);
      const results = JSON.parse(await page.locator('#results').textContent());
      assert(results.label === 'GT + AP-Pro', `results.json label: ${results.label}`);
      const row = await page.locator('#cycle-rows tr').first().locator('td').first().innerText();
      assert(row === 'GT + AP-Pro (seed 1)', `the cycle table says "${row}"`);
      const line = await page.locator('#status-line').innerText();
      assert(line.includes('GT + AP-Pro'), `the status line says "${line}"`);
      return `"${row}" in the table, "${results.label}" in results.json`;
    },
  },
  r: {
    name: 'keyboard only: lessons at the top open in view, focus stays on the buttons through a run, the file input shows its focus',
    async check(page, base) {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${base}/#model=lenet300&cycles=1&epochs=1&train_size=64&test_size=64&batch=32&seed=1&backend=cpu`);
      await waitStatus(page, ['idle'], QUICK_TIMEOUT_MS);
      const links = page.locator('nav.lessons a');
      assert((await links.count()) === 4, `${await links.count()} lessons at the top, not 4`);
      const [navY, runY] = [await links.first().boundingBox(), await page.locator('#run').boundingBox()].map((b) => b.y);
      assert(navY < runY, 'the lessons are not above the Run button');
      await links.nth(1).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => !document.getElementById('lesson').hidden, null, { timeout: QUICK_TIMEOUT_MS });
      const lesson = await page.evaluate(() => {
        const box = document.getElementById('lesson').getBoundingClientRect();
        return { top: box.top, focus: document.activeElement?.id };
      });
      assert(lesson.top > -2 && lesson.top < 800, `the opened lesson is out of view (top ${lesson.top})`);
      assert(lesson.focus === 'lesson-title', `focus after opening a lesson: ${lesson.focus}`);
      await page.evaluate(() => (location.hash = '#model=lenet300&cycles=1&epochs=1&train_size=64&test_size=64&batch=32&seed=1&backend=cpu'));
      await page.waitForFunction(() => document.getElementById('lesson').hidden, null, { timeout: QUICK_TIMEOUT_MS });
      await page.locator('#run').focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.body.dataset.status !== 'idle', null, { timeout: QUICK_TIMEOUT_MS, polling: 10 });
      const during = await page.evaluate(() => ({ id: document.activeElement?.id, status: document.body.dataset.status }));
      assert(during.id === (during.status === 'done' ? 'run' : 'stop'), `focus after Run (${during.status}): ${during.id || 'body'}`);
      await waitStatus(page, ['done', 'error'], RUN_TIMEOUT_MS);
      const after = await page.evaluate(() => document.activeElement?.id);
      assert(after === 'run', `focus after the run: ${after || 'body'}`);
      await page.locator('#drop-input').focus();
      const outline = await page.evaluate(() => getComputedStyle(document.querySelector('.file-label')).outlineStyle);
      assert(outline !== 'none', 'the focused file input shows no focus');
      return `4 lessons above Run, opened at y ${lesson.top.toFixed(0)} with focus on its title; focus Run → ${during.id} → ${after}; file input outlined`;
    },
  },
  m: {
    name: 'an activation-density run (the density lesson, tiny): net0 → net1 with ρ markers and the shrinking configurations',
    hash: `model=lenet300&data=mnist&method=density&epochs=2&rho_threshold=0.5&rho_epochs=1&density_nets=2&lr=0.05&seed=1&${TINY}&lesson=activation-density&autorun=1`,
    async check(page, base) {
      const status = await openAndWait(page, base, this.hash, RUN_TIMEOUT_MS);
      assert(status === 'done', `status is ${status}: ${await errorText(page)}`);
      assert(await page.locator('#view-nets').isVisible(), 'the density view is not shown');
      const results = JSON.parse(await page.locator('#results').textContent());
      assert(results.nets.length === 2, `${results.nets.length} nets in the results, not 2`);
      const [net0, net1] = results.nets;
      assert(net1.widths.every((w, i) => w <= net0.widths[i]), `net1 ${net1.widths} is not narrower than net0 ${net0.widths}`);
      const rows = await page.locator('#view-nets table.nets tbody tr').count();
      assert(rows === 2, `${rows} configuration rows, not 2`);
      const first = await page.locator('#view-nets table.nets tbody tr').first().innerText();
      assert(first.includes(`[${net0.widths.join(', ')}]`), `net0 row: ${first}`);
      const legend = await page.locator('#view-nets .u-legend').innerText();
      assert(legend.includes('net1') && legend.includes('ρ'), `density chart legend: ${legend}`);
      const contrast = await page.evaluate(() => {
        const lum = (rgb) => {
          const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map((v) => {
            const c = Number(v) / 255;
            return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const ratios = [...document.querySelectorAll('#view-density td')].map((td) => {
          const [a, b] = [lum(getComputedStyle(td).color), lum(getComputedStyle(td).backgroundColor)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        });
        return { cells: ratios.length, worst: Math.min(...ratios) };
      });
      assert(contrast.cells > 0 && contrast.worst >= 4.5, `heat-map text contrast ${contrast.worst.toFixed(2)}:1 over ${contrast.cells} cells`);
      return `net0 [${net0.widths}] → net1 [${net1.widths}], ${net1.parameters_reduction.toFixed(2)}× fewer parameters; heat-map contrast ≥ ${contrast.worst.toFixed(1)}:1`;
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
