//! End-to-end cycles on a tiny synthetic task, on flex (CPU) and wgpu (lavapipe in CI):
//! the checkpoint of every cycle must be reproducible from its own contents by Algorithm 2's
//! selection, pruned weights must stay exactly zero through training, and the net must learn.

use burn::prelude::*;
use prunelab_core::report::CycleEntry;
use prunelab_core::state::{Ap, Model};
use prunelab_core::{Experiment, Masks, prune_cycle};
use prunelab_data::{Dataset, Split};
use prunelab_engine::{Checkpoint, EngineError, Event, Observer, run};

/// 10 classes of 1×28×28 images: class k lights a 3-pixel-wide bar at rows 2k..2k+3, plus noise.
fn bars(n: usize, seed: u64) -> Dataset {
    let mut rng = prunelab_core::rng::Rng::new(seed, 9);
    let mut images = Vec::with_capacity(n * 784);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let k = i % 10;
        for r in 0..28 {
            for _ in 0..28 {
                let lit = (2 * k + 2..2 * k + 5).contains(&r);
                let noise = rng.below(60) as u8;
                images.push(if lit { 255 - noise } else { noise });
            }
        }
        labels.push(k as u8);
    }
    Dataset { images, labels, shape: [1, 28, 28], classes: 10 }
}

#[derive(Default)]
struct Keep {
    checkpoints: Vec<Checkpoint>,
    epochs: usize,
}

impl Observer for Keep {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        match event {
            Event::Cycle { checkpoint, .. } => {
                let bytes = checkpoint.to_bytes()?;
                self.checkpoints.push(Checkpoint::from_bytes(&bytes)?);
            }
            Event::Epoch { .. } => self.epochs += 1,
            Event::Status(_) => {}
        }
        Ok(())
    }
}

fn experiment(model: Model) -> Experiment {
    Experiment { model, ap: Ap::Pro, p: 20.0, q: 2.0, cycles: 2, epochs: 1, lr: 0.02, batch: 32, ..Experiment::default() }
}

fn kernels(ck: &Checkpoint, suffix: &str) -> (Vec<String>, Vec<Vec<f32>>) {
    let names: Vec<String> = ck.kernel_names().into_iter().map(String::from).collect();
    let values = names.iter().map(|n| ck.f32(&format!("{n}{suffix}")).expect("tensor present").1).collect();
    (names, values)
}

fn check_run(model: Model, device: Device) -> Vec<CycleEntry> {
    let split = Split { train: bars(320, 1), test: bars(100, 2) };
    let exp = experiment(model);
    let mut keep = Keep::default();
    let entries = futures::executor::block_on(run(&exp, &split, &device, &mut keep)).expect("run succeeds");
    assert_eq!(entries.len(), 3);
    assert_eq!(keep.epochs, 3);
    assert_eq!(entries[0].remaining, 1.0);
    for (c, (entry, ck)) in entries.iter().zip(&keep.checkpoints).enumerate() {
        let (names, star) = kernels(ck, "");
        let (_, init) = kernels(ck, "_init");
        let (_, prev) = kernels(ck, "_mask_prev");
        let (_, mask) = kernels(ck, "_mask");
        assert!(!names.is_empty());
        let prev = Masks::from_f32(&prev);
        // pruned weights are exactly zero in the trained weights
        for (w, keep) in star.iter().zip(&prev.keep) {
            assert!(w.iter().zip(keep).all(|(w, k)| *k || *w == 0.0), "cycle {c}: a pruned weight moved");
        }
        let (expected, counts) = if c < exp.cycles as usize {
            prune_cycle(&exp, c as u32, &star, &init, &prev)
        } else {
            (prev.clone(), Default::default())
        };
        assert_eq!(Masks::from_f32(&mask), expected, "cycle {c}: mask is not Algorithm 2's selection");
        assert_eq!(entry.pruned, counts);
        assert!((entry.remaining - prev.remaining()).abs() < 1e-12);
        assert!((entry.remaining_after - expected.remaining()).abs() < 1e-12);
        if c < exp.cycles as usize {
            assert!(counts.ap > 0 && counts.base > counts.ap, "{counts:?}");
        }
        assert!(entry.dnr.static_ >= 0.0 && entry.dnr.dynamic >= 0.0 && entry.dnr.static_ + entry.dnr.dynamic <= 1.0);
        assert_eq!(entry.dnr.per_layer.len(), entry.dnr.per_layer.iter().filter(|l| l.units > 0).count());
    }
    // the rewind point is the same in every cycle
    assert_eq!(kernels(&keep.checkpoints[0], "_init").1, kernels(&keep.checkpoints[2], "_init").1);
    // λ after two cycles of p = 20
    let alive = entries[2].remaining;
    assert!((alive - 0.64).abs() < 0.01, "λ = {alive}");
    entries
}

#[test]
fn lenet_learns_and_prunes_on_flex() {
    let entries = check_run(Model::Lenet300, Device::flex());
    assert!(entries.iter().all(|e| e.test_accuracy > 0.9), "{:?}", entries.iter().map(|e| e.test_accuracy).collect::<Vec<_>>());
}

#[test]
fn cnn_and_resnet20_run_on_flex() {
    for model in [Model::Cnn, Model::Resnet20] {
        let entries = check_run(model, Device::flex());
        assert!(entries.iter().all(|e| e.test_accuracy.is_finite()));
    }
}

#[test]
fn lenet_runs_on_wgpu() {
    let entries = check_run(Model::Lenet300, Device::wgpu(Default::default()));
    assert!(entries[0].test_accuracy > 0.5, "{}", entries[0].test_accuracy);
}

#[test]
fn same_seed_same_masks_on_flex() {
    let split = Split { train: bars(200, 3), test: bars(50, 4) };
    let exp = Experiment { cycles: 1, ..experiment(Model::Lenet300) };
    let once = || futures::executor::block_on(run(&exp, &split, &Device::flex(), &mut Keep::default())).expect("run");
    assert_eq!(once(), once());
}
