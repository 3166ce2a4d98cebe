//! The training step on wgpu runs prunelab's WGSL kernels (masked SGD, dead counting) and trains
//! the same as burn's operations do. One test in its own binary: the kernel switch is global.

use burn::prelude::*;
use prunelab_core::Experiment;
use prunelab_core::report::RunResult;
use prunelab_data::{Dataset, Split};
use prunelab_engine::{EngineError, Event, Observer, Source, run};

/// 10 classes of 1×28×28 images: class k lights rows 2k..2k+3, plus noise.
fn bars(n: usize, seed: u64) -> Dataset {
    let mut rng = prunelab_core::rng::Rng::new(seed, 9);
    let mut images = Vec::with_capacity(n * 784);
    for i in 0..n {
        let k = i % 10;
        for r in 0..28 * 28 {
            let noise = rng.below(60) as u8;
            images.push(if (2 * k + 2..2 * k + 5).contains(&(r / 28)) {
                255 - noise
            } else {
                noise
            });
        }
    }
    Dataset {
        images,
        labels: (0..n).map(|i| (i % 10) as u16).collect(),
        shape: [1, 28, 28],
        classes: 10,
    }
}

struct Quiet;

impl Observer for Quiet {
    fn on_event(&mut self, _: Event<'_>) -> Result<(), EngineError> {
        Ok(())
    }
}

fn train(exp: &Experiment, device: &Device) -> RunResult {
    let data = Source::from(Split {
        train: bars(192, 1),
        test: bars(100, 2),
    });
    futures::executor::block_on(run(exp, &data, device, &mut Quiet)).expect("run succeeds")
}

#[test]
fn wgpu_step_uses_the_kernels_and_matches_burns_operations() {
    let (exp, notices) = Experiment::from_hash(
        "model=lenet300&p=20&q=2&cycles=1&epochs=1&lr=0.02&batch=32&weight_decay=0.0005",
        &[],
    );
    assert!(notices.is_empty(), "{notices:?}");
    let device = Device::wgpu(Default::default());
    prunelab_kernels::set_enabled(false);
    let before = prunelab_kernels::launches();
    let plain = train(&exp, &device);
    assert_eq!(
        prunelab_kernels::launches(),
        before,
        "switched off, no kernel runs"
    );
    prunelab_kernels::set_enabled(true);
    let fused = train(&exp, &device);
    // 2 cycle entries × 1 epoch × 6 steps × (6 SGD tensors + 2 counted ReLUs), plus evaluation.
    assert!(
        prunelab_kernels::launches() - before >= 2 * 6 * 8,
        "only {} launches",
        prunelab_kernels::launches() - before
    );
    for (p, f) in plain.cycles.iter().zip(&fused.cycles) {
        assert!(
            (p.test_accuracy - f.test_accuracy).abs() <= 0.03,
            "accuracy {} vs {}",
            p.test_accuracy,
            f.test_accuracy
        );
        assert!(
            (p.dnr.static_ + p.dnr.dynamic - f.dnr.static_ - f.dnr.dynamic).abs() <= 0.02,
            "DNR {:?} vs {:?}",
            p.dnr,
            f.dnr
        );
        assert_eq!(p.pruned.base, f.pruned.base);
    }
    assert!(
        fused.cycles[0].test_accuracy > 0.5,
        "{}",
        fused.cycles[0].test_accuracy
    );
}
