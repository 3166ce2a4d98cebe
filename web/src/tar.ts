// Reading a (gzipped) tar archive in the page — enough for the official CIFAR-10 binary tarball
// (`cifar-10-binary.tar.gz`: ustar, plain files under `cifar-10-batches-bin/`). Decompression is
// the browser's own DecompressionStream, so nothing is uploaded and no library is bundled.

/** One regular file of an archive: its path and a view of its bytes (no copy). */
export interface TarEntry {
  path: string;
  bytes: Uint8Array;
}

const BLOCK = 512;

/** Whether the bytes start like gzip (RFC 1952 magic). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of a gzip stream, decompressed by the browser. */
export async function gunzip(blob: Blob): Promise<Uint8Array> {
  const stream = blob.stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** The regular files of a tar archive (ustar or GNU; other entry types are skipped). Throws on a
 * header whose checksum does not match or a file that runs past the end (a truncated archive). */
export function untar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // the end-of-archive blocks
    const stored = parseInt(text(header.subarray(148, 156)).trim(), 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    if (stored !== sum) throw new Error(`not a tar archive (bad header checksum at byte ${at})`);
    const size = parseInt(text(header.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = text(header.subarray(345, 500));
    const name = text(header.subarray(0, 100));
    const start = at + BLOCK;
    if (start + size > archive.length) throw new Error(`the archive is truncated: ${name} needs ${size} bytes`);
    if (type === '0') entries.push({ path: prefix ? `${prefix}/${name}` : name, bytes: archive.subarray(start, start + size) });
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
