//! Hand-made runs for the tests: 2 labels × 3 seeds, λ = 0.8^c.
//!
//! `GM` has cycles 0–6 (λ = 100, 80, 64, 51.2, 40.96, 32.768, 26.2144 %), `GM + AP` cycles 0–4
//! (down to 40.96 %). In percent, with s = seed − 1 ∈ {−1, 0, 1}:
//! - early-stop accuracy: GM 92 − c + 0.4 s (mean 92 − c, std 0.4);
//!   GM + AP 92 + 0.4 s at c = 0, else 92 − 0.5 c + 0.8 s (std 0.8); final = early stop − 0.5;
//! - dynamic DNR 2 c + 0.1 seed (mean 2 c + 0.1), static DNR c + 0.2 seed (mean c + 0.2).

use prunelab_core::cycle::CycleCounts;
use prunelab_core::dnr::Dnr;
use prunelab_core::report::{CycleEntry, NetEntry, RunResult};
use prunelab_core::state::{DnrSplit, DnrUnit};

pub(crate) fn run(label: &str, seed: u64, cycles: u32) -> RunResult {
    let s = seed as f64 - 1.0;
    let cycles = (0..cycles)
        .map(|c| {
            let cf = c as f64;
            let early = match (label, c) {
                ("GM", _) => 92.0 - cf + 0.4 * s,
                (_, 0) => 92.0 + 0.4 * s,
                _ => 92.0 - 0.5 * cf + 0.8 * s,
            };
            CycleEntry {
                cycle: c,
                remaining: 0.8f64.powi(c as i32),
                remaining_after: 0.8f64.powi(c as i32 + 1),
                test_accuracy: (early - 0.5) / 100.0,
                early_stop_accuracy: early / 100.0,
                val_accuracy: Some(early / 100.0),
                best_epoch: 0,
                train_loss: 0.1,
                pruned: CycleCounts::default(),
                dnr: Dnr {
                    static_: (cf + 0.2 * seed as f64) / 100.0,
                    dynamic: (2.0 * cf + 0.1 * seed as f64) / 100.0,
                    per_layer: vec![],
                },
                dnr_channel: None,
                dnr_unit: DnrUnit::Position,
                dnr_split: DnrSplit::Train,
            }
        })
        .collect();
    RunResult {
        label: label.into(),
        seed,
        experiment: format!("#label={label}&seed={seed}"),
        cycles,
        complete: true,
        diverged: None,
        nets: Vec::new(),
    }
}

/// GM seeds 0–2 (7 cycles each), then GM + AP seeds 0–2 (5 cycles each).
pub(crate) fn runs() -> Vec<RunResult> {
    let gm = (0..3).map(|seed| run("GM", seed, 7));
    gm.chain((0..3).map(|seed| run("GM + AP", seed, 5)))
        .collect()
}

fn net(
    i: u32,
    widths: Vec<usize>,
    parameters: u64,
    macs: u64,
    rho: Option<u32>,
    rising: bool,
    rate: f64,
) -> NetEntry {
    NetEntry {
        net: i,
        layers: vec!["conv1".into(), "conv2".into(), "fc1".into()],
        widths,
        parameters,
        macs,
        parameters_reduction: 1000.0 / parameters as f64,
        ops_reduction: 4000.0 / macs as f64,
        costs: Vec::new(),
        test_accuracy: [0.9, 0.89, 0.88][i as usize],
        train_loss: 0.1,
        epochs: rho.unwrap_or(8),
        epochs_to_rho: rho,
        ae: vec![0.5, 0.45],
        layer_ae: Vec::new(),
        slope: if rising { 0.01 } else { -0.02 },
        rising,
        images_per_s: Some(rate),
    }
}

/// A density run: net0 → net1 → net2, net2's AE curve rising (δ), speeds measured.
pub(crate) fn density_run() -> RunResult {
    RunResult {
        label: "AE density".into(),
        seed: 1,
        experiment: "model=cnn&method=density&epochs=8&density_nets=4".into(),
        cycles: Vec::new(),
        complete: true,
        diverged: None,
        nets: vec![
            net(0, vec![32, 64, 128], 1000, 4000, Some(5), false, 100.0),
            net(1, vec![17, 30, 60], 250, 1000, Some(4), false, 350.0),
            net(2, vec![9, 14, 31], 100, 250, None, true, 900.0),
        ],
    }
}
