// Downloads: results as JSON (the CLI's results.json, every compared run: `prunelab report` reads
// it) and CSV, and
// the last cycle's network as safetensors in the CLI's checkpoint schema (loads in `prunelab dnr
// --checkpoint` and in PyTorch through safetensors).

import { reportedDnr, type Results } from './state';

export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** results.json: one run is the CLI's object exactly; compared runs are an array of them (both
 *  read by `prunelab report`). */
export function resultsJson(runs: Results[]): string {
  return `${JSON.stringify(runs.length === 1 ? runs[0] : runs, null, 2)}\n`;
}

const CSV_HEAD = [
  'label', 'seed', 'experiment', 'cycle', 'remaining', 'remaining_after', 'test_accuracy', 'early_stop_accuracy',
  'train_loss', 'dnr_static', 'dnr_dynamic', 'pruned_base', 'pruned_ap',
];

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per run and cycle. */
export function resultsCsv(runs: Results[]): string {
  const rows = runs.flatMap((r) =>
    r.cycles.map((c) => [
      r.label, r.seed, r.experiment, c.cycle, c.remaining, c.remaining_after, c.test_accuracy, c.early_stop_accuracy,
      c.train_loss, reportedDnr(c).static, reportedDnr(c).dynamic, c.pruned.base, c.pruned.ap,
    ]),
  );
  return [CSV_HEAD, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
