// The page's data: MNIST bundled with the page, CIFAR-10 from the web export (`prunelab data
// web-export cifar10`: manifest.json + chunks of binary records, fetched one by one with
// progress), or CIFAR-format files a user drops on the page (the batches, or the official
// `cifar-10-binary.tar.gz` itself, unpacked here). All of it is fetched and read
// asynchronously: loading never blocks the page.

import { MNIST_FILES, type CifarData, type MnistData } from './state';
import { gunzip, isGzip, untar } from './tar';

/** CIFAR-10 binary record: one label byte, 3×32×32 pixels. */
export const CIFAR_RECORD = 3073;
export const MNIST_PIXELS = 784;

/** manifest.json of the CIFAR-10 web export. */
export interface CifarManifest {
  format: 'prunelab-cifar10-web';
  version: 1;
  record_bytes: number;
  train: Array<{ file: string; records: number }>;
  test: Array<{ file: string; records: number }>;
}

export type Progress = (loaded: number, total: number, what: string) => void;

async function fetchBytes(url: string, onBytes?: (n: number) => void): Promise<Uint8Array> {
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`Could not load ${url} (HTTP ${resp.status}).`);
  if (!resp.body || !onBytes) return new Uint8Array(await resp.arrayBuffer());
  const parts: Uint8Array[] = [];
  const reader = resp.body.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
    onBytes(value.length);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let mnist: Promise<MnistData> | null = null;

/** The bundled MNIST IDX files (fetched once per page). */
export function loadMnist(): Promise<MnistData> {
  mnist ??= (async () => {
    const keys = Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[];
    const bytes = await Promise.all(
      keys.map((k) =>
        fetchBytes(`data/mnist/${MNIST_FILES[k]}`).catch((e: Error) => {
          throw new Error(`${e.message} Run \`cargo xtask data\` and rebuild.`);
        }),
      ),
    );
    return { kind: 'mnist', ...Object.fromEntries(keys.map((k, i) => [k, bytes[i]])) } as MnistData;
  })();
  mnist.catch(() => (mnist = null)); // retry on the next run
  return mnist;
}

/** Where the page looks for CIFAR-10 when the URL has no `cifar=`: a web export beside the page. */
export const CIFAR_DEFAULT = 'data/cifar10/manifest.json';

/** What a visitor without CIFAR-10 can do (the page shows it where CIFAR-10 is asked for). */
export const CIFAR_HELP =
  'CIFAR-10 is not bundled with the playground (163 MB). Download the binary version, cifar-10-binary.tar.gz, from ' +
  'https://www.cs.toronto.edu/~kriz/cifar.html and drop it on the box below (it is unpacked in this page; nothing is ' +
  'uploaded), or serve a web export (`prunelab data fetch cifar10`, then `prunelab data web-export cifar10 --out DIR`) ' +
  'and point cifar= in the URL at its manifest.json.';

/** The manifest of the web export at `url`, or an error saying why there is none. */
async function fetchManifest(url: string): Promise<CifarManifest> {
  const resp = await fetch(url).catch((e: Error) => {
    throw new Error(`Could not reach ${url} (${e.message}).`);
  });
  if (!resp.ok) throw new Error(`There is no CIFAR-10 web export at ${url} (HTTP ${resp.status}).`);
  let manifest: CifarManifest;
  try {
    manifest = (await resp.json()) as CifarManifest;
  } catch {
    throw new Error(`There is no CIFAR-10 web export at ${url}: the server answered with something that is not a manifest.json (a web page?).`);
  }
  if (manifest?.format !== 'prunelab-cifar10-web' || manifest.record_bytes !== CIFAR_RECORD) {
    throw new Error(`${url} is not a prunelab CIFAR-10 web export (make one with \`prunelab data web-export cifar10\`).`);
  }
  return manifest;
}

/** Why the web export at `url` cannot be used (`null`: it can), without loading its chunks. */
export async function cifarMissing(url: string): Promise<string | null> {
  return fetchManifest(url).then(
    () => null,
    (e: Error) => e.message,
  );
}

const cifar = new Map<string, Promise<CifarData>>();

/** CIFAR-10 from the web export whose manifest is at `url`, chunk by chunk with progress. */
export function loadCifar(url: string, progress: Progress): Promise<CifarData> {
  let loading = cifar.get(url);
  if (!loading) {
    loading = (async () => {
      const manifest = await fetchManifest(url);
      const chunks = [...manifest.train, ...manifest.test];
      const total = chunks.reduce((n, c) => n + c.records * CIFAR_RECORD, 0);
      let loaded = 0;
      const read = async (c: { file: string; records: number }) => {
        const bytes = await fetchBytes(new URL(c.file, new URL(url, location.href)).href, (n) => progress((loaded += n), total, 'CIFAR-10'));
        if (bytes.length !== c.records * CIFAR_RECORD) throw new Error(`${c.file}: ${bytes.length} bytes, expected ${c.records} records of ${CIFAR_RECORD}`);
        return bytes;
      };
      const train: Uint8Array[] = [];
      for (const c of manifest.train) train.push(await read(c));
      const test: Uint8Array[] = [];
      for (const c of manifest.test) test.push(await read(c));
      return { kind: 'cifar10', train, test: concat(test) } as CifarData;
    })();
    loading.catch(() => cifar.delete(url));
    cifar.set(url, loading);
  }
  return loading;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The files of a dropped file: itself, or the `.bin` batches inside a (gzipped) tar archive. */
async function unpack(f: File): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const head = new Uint8Array(await f.slice(0, 512).arrayBuffer());
  const tar = /\.(tar|tgz|tar\.gz)$/i.test(f.name);
  if (!isGzip(head) && !tar) return [{ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }];
  let archive: Uint8Array;
  try {
    archive = isGzip(head) ? await gunzip(f) : new Uint8Array(await f.arrayBuffer());
  } catch (e) {
    throw new Error(`${f.name} could not be decompressed (${(e as Error).message}): is the download complete?`);
  }
  const batches = untar(archive)
    .map((e) => ({ name: e.path.split('/').pop() ?? e.path, bytes: e.bytes }))
    .filter((e) => /^(data_batch_\d+|test_batch)\.bin$/.test(e.name));
  if (batches.length === 0) {
    throw new Error(`${f.name} holds no data_batch_*.bin or test_batch.bin: the CIFAR-10 binary version is cifar-10-binary.tar.gz (not the Python or MATLAB one).`);
  }
  return batches;
}

/**
 * CIFAR-10 from dropped files: binary batches (`data_batch_*.bin`, `test_batch.bin`, or any file
 * of 3073-byte records), or the official `cifar-10-binary.tar.gz`, unpacked here. Without a
 * `test_batch*` file, the last sixth (at most 2000 records) of the training records is the test set.
 */
export async function cifarFromFiles(files: File[]): Promise<CifarData> {
  if (files.length === 0) throw new Error('No file was dropped.');
  const read = (await Promise.all(files.map(unpack))).flat();
  for (const f of read) {
    if (f.bytes.length === 0 || f.bytes.length % CIFAR_RECORD !== 0) {
      throw new Error(`${f.name} is not a CIFAR-10 binary file: ${f.bytes.length} bytes is not a whole number of ${CIFAR_RECORD}-byte records.`);
    }
  }
  const isTest = (n: string) => /^test/i.test(n);
  let train: Uint8Array[] = read.filter((f) => !isTest(f.name)).map((f) => f.bytes);
  let test: Uint8Array = concat(read.filter((f) => isTest(f.name)).map((f) => f.bytes));
  if (train.length === 0) throw new Error('Only test files were dropped; add at least one training batch.');
  if (test.length === 0) {
    const all = concat(train);
    const n = all.length / CIFAR_RECORD;
    const held = Math.min(2000, Math.max(1, Math.floor(n / 6)));
    if (n < 2) throw new Error('One record is too few to train and test on.');
    train = [all.slice(0, (n - held) * CIFAR_RECORD)];
    test = all.slice((n - held) * CIFAR_RECORD);
  }
  return { kind: 'cifar10', train, test };
}

/** Test image `i` of loaded data as uint8 CHW pixels, or null. */
export function testImage(data: MnistData | CifarData | null, i: number): { pixels: Uint8Array; shape: [number, number, number] } | null {
  if (!data || i < 0 || !Number.isInteger(i)) return null;
  if (data.kind === 'mnist') {
    const at = 16 + i * MNIST_PIXELS;
    if (at + MNIST_PIXELS > data.testImages.length) return null;
    return { pixels: data.testImages.slice(at, at + MNIST_PIXELS), shape: [1, 28, 28] };
  }
  const at = i * CIFAR_RECORD + 1;
  if (at + CIFAR_RECORD - 1 > data.test.length) return null;
  return { pixels: data.test.slice(at, at + CIFAR_RECORD - 1), shape: [3, 32, 32] };
}
