//! The `results.json` schema, shared by the CLI, the page and `prunelab report`: one
//! [`RunResult`] per run (one experiment, one seed) holding one [`CycleEntry`] per cycle, or, for
//! activation-density pruning, one [`NetEntry`] per resized network.

use serde::{Deserialize, Serialize};

use crate::cycle::CycleCounts;
use crate::dnr::Dnr;
use crate::macs::LayerCost;
use crate::state::{DnrSplit, DnrUnit};

/// One run: which experiment (`label` names its row in a report, e.g. `GM + AP-Pro`), which seed,
/// the full state as a URL hash, its cycles in order, and whether it has finished (`complete`;
/// a run still going — or killed, to be resumed — lists the cycles done so far). A run whose
/// training diverged is complete (finished, and failed) with `diverged` set and the cycles it
/// finished before that.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub label: String,
    pub seed: u64,
    pub experiment: String,
    pub cycles: Vec<CycleEntry>,
    #[serde(default)]
    pub complete: bool,
    /// Where a non-finite loss or weight stopped the run; absent when training stayed finite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverged: Option<Divergence>,
    /// `method = "density"`: the successively resized networks net0, net1, … (empty otherwise;
    /// absent from older files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nets: Vec<NetEntry>,
}

/// The training step at which a loss or a weight stopped being finite: `cycle` (the net, for
/// `method = "density"`), `epoch` (0-based) and `step`, the optimiser step within that training
/// (0-based, as `rewind_iteration` counts them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divergence {
    pub cycle: u32,
    pub epoch: u32,
    pub step: u64,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cycle {}, epoch {}, step {}",
            self.cycle, self.epoch, self.step
        )
    }
}

/// What one cycle trained, measured and then pruned. Cycle `c` trains with the mask it starts
/// with (λ = `remaining`), is evaluated (accuracy on the test split; DNR on `dnr_split`, eq. 1's
/// training samples by default), and is then pruned
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
    /// DNR with one unit per channel × position (every activation value).
    pub dnr: Dnr,
    /// DNR with one unit per channel, dead on a sample when its whole map is 0 (`None` in files
    /// written before it was measured).
    #[serde(default)]
    pub dnr_channel: Option<Dnr>,
    /// The unit tables and plots use ([`CycleEntry::reported_dnr`]); position in older files.
    #[serde(default = "position_before_dnr_unit")]
    pub dnr_unit: DnrUnit,
    /// The images `dnr` averages over; a file written before the key existed measured the test split.
    #[serde(default = "measured_before_dnr_split")]
    pub dnr_split: DnrSplit,
}

impl CycleEntry {
    /// The DNR in the run's `dnr_unit` — the one tables and plots show (position when a file has
    /// no channel DNR).
    pub fn reported_dnr(&self) -> &Dnr {
        match (self.dnr_unit, &self.dnr_channel) {
            (DnrUnit::Channel, Some(channel)) => channel,
            _ => &self.dnr,
        }
    }
}

fn measured_before_dnr_split() -> DnrSplit {
    DnrSplit::Test
}

fn position_before_dnr_unit() -> DnrUnit {
    DnrUnit::Position
}

/// One network of activation-density pruning (Algorithm 1): net_i with its `widths` (one per
/// resizable layer, the counted layers `layers`), trained from a fresh initialisation until ρ
/// (`epochs_to_rho`, 1-based) or the `epochs` cap, then evaluated and resized.
///
/// `ae` is the total AE per epoch (eq. 1, from each epoch's training pass) and `layer_ae` the
/// per-layer AE per epoch; the next net's widths come from the last row of `layer_ae`.
/// `slope` is δ's least-squares slope of `ae` and `rising` whether it met δ (pruning stopped).
/// Reductions are against net0 (eq. 3). `images_per_s` is the measured inference throughput on
/// the run's backend, when it was measured (`prunelab run` does, after the run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetEntry {
    pub net: u32,
    pub layers: Vec<String>,
    pub widths: Vec<usize>,
    pub parameters: u64,
    pub macs: u64,
    pub parameters_reduction: f64,
    pub ops_reduction: f64,
    /// Parameters and MACs per layer (conv, BN, projection, classifier).
    pub costs: Vec<LayerCost>,
    pub test_accuracy: f64,
    pub train_loss: f64,
    /// Epochs trained.
    pub epochs: u32,
    /// The epoch (1-based) at which ρ was met; `None` when the `epochs` cap came first.
    pub epochs_to_rho: Option<u32>,
    pub ae: Vec<f64>,
    pub layer_ae: Vec<Vec<f64>>,
    pub slope: f64,
    pub rising: bool,
    #[serde(default)]
    pub images_per_s: Option<f64>,
}
