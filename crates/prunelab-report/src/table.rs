//! The AP paper's table layout (Tables 1–15): one row per label, one column per target λ, each cell
//! the mean ± sample std over the label's seeds of the test accuracy at the cycle nearest that λ;
//! Tables 10–11 add the mean DNR in parentheses.

use prunelab_core::report::{CycleEntry, Divergence, RunResult};

use crate::error::ReportError;
use crate::options::{Accuracy, DnrKind, Options};
use crate::stats::Stats;

/// A run reaches a target λ when its smallest λ is at most this much (relatively) above the target.
pub(crate) const REACH_TOLERANCE: f64 = 0.10;
/// A cell notes the λ it actually used when that is more than this much (relatively) off the target.
pub(crate) const NOTE_TOLERANCE: f64 = 0.10;
/// Distances to a target closer than this (in λ percent) are a tie.
const TIE: f64 = 1e-9;
/// A run's nearest cycle stands for a column only within this relative distance of its λ: a
/// run that stops elsewhere (an AP-Lite run made for another column) is not stretched to fit.
pub(crate) const MATCH_TOLERANCE: f64 = 0.25;
/// A cycle with at least this λ is the dense net.
const DENSE: f64 = 1.0 - 1e-9;

/// A built table; render it with [`Table::markdown`] or [`Table::csv`].
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Target λ in percent, one per column.
    pub targets: Vec<f64>,
    pub accuracy: Accuracy,
    pub dnr: Option<DnrKind>,
    /// Labels in order of first appearance among the runs.
    pub rows: Vec<Row>,
}

/// One label.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub label: String,
    /// Number of distinct seeds among the runs with this label.
    pub seeds: usize,
    /// Accuracy (%) of the dense net (the cycle at λ = 100 %), over the runs that have one.
    pub dense: Option<Stats>,
    /// One per target; `None` when no run of the label reaches it.
    pub cells: Vec<Option<Cell>>,
    /// The seeds whose training diverged, with where: their cycles after that point are missing.
    pub diverged: Vec<(u64, Divergence)>,
}

/// One label at one target λ.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Mean over the contributing runs of the λ (%) of the cycle chosen in each.
    pub lambda: f64,
    /// Accuracy in percent over the runs that reach the target (`accuracy.n` of them).
    pub accuracy: Stats,
    /// Mean DNR in percent of [`Table::dnr`]'s kind, when set.
    pub dnr: Option<f64>,
}

impl Cell {
    /// Whether the λ used is more than [`NOTE_TOLERANCE`] off `target`.
    pub(crate) fn off_target(&self, target: f64) -> bool {
        (self.lambda - target).abs() > NOTE_TOLERANCE * target
    }
}

impl Table {
    /// Groups `runs` by label (rows in order of first appearance) and fills every cell from each
    /// run's cycle whose λ is nearest the target. On a tie the smaller λ (the more pruned net) wins.
    /// A run whose smallest λ is more than 10 % above the target does not reach it, and a run whose
    /// nearest cycle is more than 25 % away from it does not stand for it; either is left out of
    /// that cell (`—` when no run of the label is left). Runs sharing a label and a seed (one run
    /// per λ column, as AP-Lite rows need) count once in the dense accuracy and the seed count.
    ///
    /// Errors: no runs, or a target λ outside (0, 100].
    pub fn build(runs: &[RunResult], options: &Options) -> Result<Self, ReportError> {
        options.validate()?;
        if runs.is_empty() {
            return Err(ReportError::NoRuns);
        }
        let rows = group_by_label(runs)
            .into_iter()
            .map(|(label, runs)| {
                // runs of one row that share a seed (one per λ column) share their dense cycle
                let mut seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
                seeds.sort_unstable();
                seeds.dedup();
                let first_per_seed = runs
                    .iter()
                    .enumerate()
                    .filter(|(i, r)| !runs[..*i].iter().any(|o| o.seed == r.seed));
                let dense: Vec<f64> = first_per_seed
                    .filter_map(|(_, run)| run.cycles.iter().find(|e| e.remaining >= DENSE))
                    .map(|e| 100.0 * options.accuracy.of(e))
                    .collect();
                let cells = options
                    .lambdas
                    .iter()
                    .map(|&target| cell(&runs, target, options))
                    .collect();
                Row {
                    label: label.to_string(),
                    seeds: seeds.len(),
                    dense: Stats::of(&dense),
                    cells,
                    diverged: runs
                        .iter()
                        .filter_map(|r| r.diverged.map(|at| (r.seed, at)))
                        .collect(),
                }
            })
            .collect();
        Ok(Self {
            targets: options.lambdas.clone(),
            accuracy: options.accuracy,
            dnr: options.dnr,
            rows,
        })
    }
}

/// Runs grouped by label, labels in order of first appearance.
pub(crate) fn group_by_label(runs: &[RunResult]) -> Vec<(&str, Vec<&RunResult>)> {
    let mut groups: Vec<(&str, Vec<&RunResult>)> = Vec::new();
    for run in runs {
        match groups.iter_mut().find(|(label, _)| *label == run.label) {
            Some((_, group)) => group.push(run),
            None => groups.push((&run.label, vec![run])),
        }
    }
    groups
}

fn cell(runs: &[&RunResult], target: f64, options: &Options) -> Option<Cell> {
    let chosen: Vec<&CycleEntry> = runs
        .iter()
        .filter_map(|run| nearest_cycle(run, target))
        .collect();
    let accuracies: Vec<f64> = chosen
        .iter()
        .map(|e| 100.0 * options.accuracy.of(e))
        .collect();
    let accuracy = Stats::of(&accuracies)?;
    let mean = |f: &dyn Fn(&CycleEntry) -> f64| {
        chosen.iter().map(|e| 100.0 * f(e)).sum::<f64>() / chosen.len() as f64
    };
    Some(Cell {
        lambda: mean(&|e| e.remaining),
        accuracy,
        dnr: options.dnr.map(|kind| mean(&|e| kind.of(e.reported_dnr()))),
    })
}

/// The cycle of `run` whose λ (`remaining`, in percent) is nearest `target` (percent); on a tie the
/// smaller λ, i.e. the more pruned net, so a cell never flatters a method with a denser net.
/// `None` when the run does not reach the target: its smallest λ is more than
/// [`REACH_TOLERANCE`] above it (too few cycles), or it has no cycle with a finite λ.
pub(crate) fn nearest_cycle(run: &RunResult, target: f64) -> Option<&CycleEntry> {
    let lambda = |e: &CycleEntry| 100.0 * e.remaining;
    let finite = || run.cycles.iter().filter(|e| lambda(e).is_finite());
    let smallest = finite().map(lambda).reduce(f64::min)?;
    if smallest > target * (1.0 + REACH_TOLERANCE) {
        return None;
    }
    finite()
        .reduce(|best, e| {
            let (d, d_best) = ((lambda(e) - target).abs(), (lambda(best) - target).abs());
            if d < d_best - TIE || (d <= d_best + TIE && lambda(e) < lambda(best)) {
                e
            } else {
                best
            }
        })
        .filter(|e| (lambda(e) - target).abs() <= MATCH_TOLERANCE * target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn options(lambdas: &[f64]) -> Options {
        Options {
            lambdas: lambdas.to_vec(),
            ..Options::default()
        }
    }

    fn cell_text(table: &Table, row: usize, col: usize) -> Option<String> {
        table.rows[row].cells[col].as_ref().map(|c| c.accuracy.pm())
    }

    #[test]
    fn nearest_cycle_and_ties() {
        let run = fixture::run("GM", 0, 7);
        let cycle = |target| nearest_cycle(&run, target).map(|e| e.cycle);
        assert_eq!(cycle(100.0), Some(0));
        assert_eq!(cycle(50.0), Some(3)); // 51.2 (1.2 off) beats 40.96 (9.04 off)
        assert_eq!(cycle(57.6), Some(3)); // 64 and 51.2 are both 6.4 off: the smaller λ
        assert_eq!(cycle(32.8), Some(5)); // 32.768
        assert_eq!(cycle(29.5), Some(5)); // 32.768 (3.268 off) beats 26.2144 (3.2856 off)
        assert_eq!(cycle(26.2), Some(6));
        assert_eq!(cycle(24.0), Some(6)); // smallest λ 26.2144 is within 10 % of 24
        assert_eq!(cycle(13.4), None); // never pruned that far
        let empty = RunResult {
            cycles: vec![],
            ..run.clone()
        };
        assert_eq!(nearest_cycle(&empty, 50.0), None);
    }

    #[test]
    fn rows_cells_and_unreached() {
        let table = Table::build(&fixture::runs(), &Options::default()).expect("table");
        let labels: Vec<&str> = table.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["GM", "GM + AP"]);
        assert_eq!(table.rows[0].seeds, 3);
        assert_eq!(cell_text(&table, 0, 0).as_deref(), Some("87.0 ± 0.4"));
        assert_eq!(cell_text(&table, 0, 1).as_deref(), Some("86.0 ± 0.4"));
        assert_eq!(cell_text(&table, 0, 2), None);
        assert_eq!(cell_text(&table, 0, 3), None);
        assert!(table.rows[1].cells.iter().all(Option::is_none));
        let c = table.rows[0].cells[0].as_ref().expect("cell");
        assert!((c.lambda - 32.768).abs() < 1e-9 && c.accuracy.n == 3 && c.dnr.is_none());
        let dense = table.rows[1].dense.expect("dense");
        assert_eq!((dense.pm().as_str(), dense.n), ("92.0 ± 0.4", 3));
    }

    #[test]
    fn accuracy_kind_and_dnr() {
        let opts = Options {
            lambdas: vec![50.0, 40.96],
            accuracy: Accuracy::Final,
            dnr: Some(DnrKind::Dynamic),
        };
        let table = Table::build(&fixture::runs(), &opts).expect("table");
        assert_eq!(cell_text(&table, 0, 0).as_deref(), Some("88.5 ± 0.4"));
        assert_eq!(cell_text(&table, 1, 0).as_deref(), Some("90.0 ± 0.8"));
        let dnr = table.rows[1].cells[1]
            .as_ref()
            .and_then(|c| c.dnr)
            .expect("dnr");
        assert!((dnr - 8.1).abs() < 1e-9, "{dnr}");
        let stat = Options {
            dnr: Some(DnrKind::Static),
            ..opts
        };
        let table = Table::build(&fixture::runs(), &stat).expect("table");
        let dnr = table.rows[0].cells[0]
            .as_ref()
            .and_then(|c| c.dnr)
            .expect("dnr");
        assert!((dnr - 3.2).abs() < 1e-9, "{dnr}");
    }

    #[test]
    fn seeds_that_stop_early_are_left_out() {
        let mut runs = fixture::runs();
        runs[2].cycles.pop(); // GM seed 2 stops at 32.768 %
        let table = Table::build(&runs, &options(&[26.2])).expect("table");
        let c = table.rows[0].cells[0].as_ref().expect("cell");
        // seeds 0 and 1: 85.6 and 86.0 → 85.8 ± 0.283
        assert_eq!((c.accuracy.n, c.accuracy.pm().as_str()), (2, "85.8 ± 0.3"));
    }

    #[test]
    fn one_run_per_column_fills_only_its_own_column() {
        // AP-Lite-style: per seed, one run stopping near 51.2 % and one near 26.2 %, each keeping
        // only its dense and final cycles (as load_runs leaves them)
        let per_column = |seed, last: u32| {
            let mut r = fixture::run("GM", seed, last + 1);
            r.cycles = vec![r.cycles[0].clone(), r.cycles[last as usize].clone()];
            r
        };
        let runs: Vec<RunResult> = (0..3)
            .flat_map(|seed| [per_column(seed, 3), per_column(seed, 6)])
            .collect();
        let table = Table::build(&runs, &options(&[51.2, 38.0, 26.2])).expect("table");
        let row = &table.rows[0];
        assert_eq!(row.seeds, 3, "two runs per seed are still three seeds");
        assert_eq!(
            row.dense.as_ref().map(|d| d.n),
            Some(3),
            "the dense cycle counts once per seed"
        );
        assert_eq!(
            row.cells[0]
                .as_ref()
                .map(|c| (c.accuracy.n, (c.lambda * 10.0).round())),
            Some((3, 512.0))
        );
        assert!(
            row.cells[1].is_none(),
            "38 % is over 25 % from both stops: no run stands for it"
        );
        assert_eq!(row.cells[2].as_ref().map(|c| c.accuracy.n), Some(3));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(matches!(
            Table::build(&[], &Options::default()),
            Err(ReportError::NoRuns)
        ));
        assert!(matches!(
            Table::build(&fixture::runs(), &options(&[])),
            Err(ReportError::Options(_))
        ));
        let mut runs = fixture::runs();
        runs[0].cycles[3].remaining = f64::NAN;
        runs[1].cycles.clear();
        let table = Table::build(&runs, &options(&[50.0])).expect("table");
        assert_eq!(
            table.rows[0].cells[0].as_ref().map(|c| c.accuracy.n),
            Some(2)
        );
    }
}
