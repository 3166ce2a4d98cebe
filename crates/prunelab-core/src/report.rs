//! The `results.json` schema: one [`CycleEntry`] per cycle, shared by the CLI and the page.

use serde::{Deserialize, Serialize};

use crate::cycle::CycleCounts;
use crate::dnr::Dnr;

/// What one cycle trained, measured and then pruned. Cycle `c` trains from the rewind point with
/// the mask it starts with (λ = `remaining`), is evaluated (accuracy, DNR on the test split),
/// and is then pruned (`pruned`, leaving `remaining_after`). The last cycle only retrains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleEntry {
    pub cycle: u32,
    pub remaining: f64,
    pub remaining_after: f64,
    pub test_accuracy: f64,
    pub train_loss: f64,
    pub pruned: CycleCounts,
    pub dnr: Dnr,
}
