//! The `results.json` schema, shared by the CLI, the page and `prunelab report`: one
//! [`RunResult`] per run (one experiment, one seed) holding one [`CycleEntry`] per cycle.

use serde::{Deserialize, Serialize};

use crate::cycle::CycleCounts;
use crate::dnr::Dnr;

/// One run: which experiment (`label` names its row in a report, e.g. `GM + AP-Pro`), which seed,
/// the full state as a URL hash, its cycles in order, and whether it has finished (`complete`;
/// a run still going — or killed, to be resumed — lists the cycles done so far).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub label: String,
    pub seed: u64,
    pub experiment: String,
    pub cycles: Vec<CycleEntry>,
    #[serde(default)]
    pub complete: bool,
}

/// What one cycle trained, measured and then pruned. Cycle `c` trains with the mask it starts
/// with (λ = `remaining`), is evaluated (accuracy, DNR on the test split), and is then pruned
/// (`pruned`, leaving `remaining_after`). The last cycle only retrains.
///
/// `test_accuracy` is measured after the last epoch. With a validation split, `early_stop_accuracy`
/// is the test accuracy at the epoch of best validation accuracy (`best_epoch`, 0-based, and
/// `val_accuracy`); without one it equals `test_accuracy` and `val_accuracy` is `None`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleEntry {
    pub cycle: u32,
    pub remaining: f64,
    pub remaining_after: f64,
    pub test_accuracy: f64,
    pub early_stop_accuracy: f64,
    pub val_accuracy: Option<f64>,
    pub best_epoch: u32,
    pub train_loss: f64,
    pub pruned: CycleCounts,
    pub dnr: Dnr,
}
