#!/usr/bin/env node
// Precompress web/dist for static hosts that serve `.br` / `.gz` beside the files (nginx
// brotli_static / gzip_static, most CDNs): brotli (quality 11) and gzip (level 9) copies of every
// .wasm, .js, .css, .html, .json and bundled MNIST IDX file, each written to a temporary name and renamed into place.
// Prints the page's transferred size (index.html + its assets, brotli; not the data) at the end.

import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const KINDS = new Set(['.wasm', '.js', '.css', '.html', '.json']);

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (KINDS.has(extname(name)) || name.endsWith('-ubyte')) yield path;
  }
}

function write(path, bytes) {
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

let raw = 0;
let br = 0;
for (const path of files(dist)) {
  const bytes = readFileSync(path);
  const b = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  write(`${path}.br`, b);
  write(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  if (!path.includes('prunelab-playground') && !path.endsWith('-ubyte')) {
    raw += bytes.length;
    br += b.length;
  }
}
const mb = (n) => (n / 1e6).toFixed(2);
console.log(`web/dist: ${mb(raw)} MB of page assets, ${mb(br)} MB with brotli (what a precompressing host transfers)`);
