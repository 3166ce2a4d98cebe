//! End-to-end cycles on a tiny synthetic task, on flex (CPU) and wgpu (lavapipe in CI):
//! the checkpoint of every cycle must be reproducible from its own contents by Algorithm 2's
//! selection, pruned weights must stay exactly zero through training, and the net must learn.

use burn::prelude::*;
use prunelab_core::cycle::Observed;
use prunelab_core::report::RunResult;
use prunelab_core::state::Model;
use prunelab_core::{Experiment, Layer, Masks, prune_cycle};
use prunelab_data::{Dataset, Split};
use prunelab_engine::Source;
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
        labels.push(k as u16);
    }
    Dataset {
        images,
        labels,
        shape: [1, 28, 28],
        classes: 10,
    }
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
            Event::Status(_) | Event::Snapshot(_) | Event::Net { .. } => {}
        }
        Ok(())
    }
}

fn experiment(model: Model, extra: &str) -> Experiment {
    let hash = format!("model={model}&ap=pro&p=20&q=2&cycles=2&epochs=1&lr=0.02&batch=32&{extra}");
    let (exp, notices) = Experiment::from_hash(&hash, &[]);
    assert!(notices.is_empty(), "{notices:?}");
    exp
}

fn split() -> Source {
    Source::from(Split {
        train: bars(320, 1),
        test: bars(100, 2),
    })
}

fn kernels(ck: &Checkpoint, suffix: &str) -> Vec<Vec<f32>> {
    ck.kernel_names()
        .iter()
        .map(|n| ck.f32(&format!("{n}{suffix}")).expect("tensor present").1)
        .collect()
}

fn layers(ck: &Checkpoint) -> Vec<Layer> {
    ck.kernel_names()
        .iter()
        .map(|n| Layer::new(*n, &ck.f32(n).expect("kernel").0))
        .collect()
}

fn go(exp: &Experiment, device: &Device) -> (RunResult, Keep) {
    let mut keep = Keep::default();
    let result =
        futures::executor::block_on(run(exp, &split(), device, &mut keep)).expect("run succeeds");
    (result, keep)
}

/// Every cycle's `_mask` is Algorithm 2's selection from the same file's θ*, `_init`,
/// `_mask_prev` (and `_score`), and pruned weights stayed zero while training.
fn check_checkpoints(exp: &Experiment, result: &RunResult, keep: &Keep) {
    assert_eq!(result.cycles.len(), keep.checkpoints.len());
    for (c, (entry, ck)) in result.cycles.iter().zip(&keep.checkpoints).enumerate() {
        let (star, init) = (kernels(ck, ""), kernels(ck, "_init"));
        let prev = Masks::from_f32(&kernels(ck, "_mask_prev"));
        let mask = Masks::from_f32(&kernels(ck, "_mask"));
        for (w, keep) in star.iter().zip(&prev.keep) {
            assert!(
                w.iter().zip(keep).all(|(w, k)| *k || *w == 0.0),
                "cycle {c}: a pruned weight moved"
            );
        }
        let scores = ck
            .kernel_names()
            .iter()
            .all(|n| ck.f32(&format!("{n}_score")).is_some())
            .then(|| kernels(ck, "_score"));
        if c + 1 < result.cycles.len() {
            let layers = layers(ck);
            let obs = Observed {
                layers: &layers,
                theta_star: &star,
                theta0: &init,
                scores: scores.as_deref(),
                dead_rate: None,
            };
            let pruning = prune_cycle(exp, c as u32, &obs, &prev).expect("selection");
            assert_eq!(
                mask, pruning.masks,
                "cycle {c}: mask is not Algorithm 2's selection"
            );
            assert_eq!(entry.pruned, pruning.counts);
        } else {
            assert_eq!(mask, prev, "the last cycle does not prune");
        }
        assert!((entry.remaining - prev.remaining()).abs() < 1e-12);
        assert!((entry.remaining_after - mask.remaining()).abs() < 1e-12);
        assert!(
            entry.dnr.static_ >= 0.0
                && entry.dnr.dynamic >= 0.0
                && entry.dnr.static_ + entry.dnr.dynamic <= 1.0
        );
    }
}

#[test]
fn lenet_learns_and_prunes_on_flex() {
    let exp = experiment(Model::Lenet300, "");
    let (result, keep) = go(&exp, &Device::flex());
    assert_eq!(
        (result.cycles.len(), keep.epochs, result.label.as_str()),
        (3, 3, "GM + AP-Pro")
    );
    check_checkpoints(&exp, &result, &keep);
    let c = &result.cycles;
    assert!(
        c[..2]
            .iter()
            .all(|e| e.pruned.ap > 0 && e.pruned.base > e.pruned.ap),
        "{:?}",
        c.iter().map(|e| e.pruned).collect::<Vec<_>>()
    );
    assert_eq!(
        kernels(&keep.checkpoints[0], "_init"),
        kernels(&keep.checkpoints[2], "_init"),
        "one rewind point"
    );
    assert!(
        (c[2].remaining - 0.64).abs() < 0.01,
        "λ = {}",
        c[2].remaining
    );
    assert!(c.iter().all(|e| e.test_accuracy > 0.9
        && e.early_stop_accuracy == e.test_accuracy
        && e.val_accuracy.is_none()));
}

#[test]
fn cnn_and_resnet20_run_on_flex() {
    for model in [Model::Cnn, Model::Resnet20] {
        let exp = experiment(model, "");
        let (result, keep) = go(&exp, &Device::flex());
        check_checkpoints(&exp, &result, &keep);
        assert!(result.cycles.iter().all(|e| e.test_accuracy.is_finite()));
        for e in &result.cycles {
            check_channel_dnr(e);
        }
    }
    let exp = experiment(Model::Cnn, "dnr_unit=channel&cycles=1");
    let (result, _) = go(&exp, &Device::flex());
    let e = &result.cycles[0];
    assert_eq!(
        Some(e.reported_dnr()),
        e.dnr_channel.as_ref(),
        "tables use the channel DNR"
    );
}

/// `dnr_unit` (AP paper, eq. 1's "neuron"): a channel whose whole map is dead on a sample means
/// every one of its positions is, so per layer the channel DNR never exceeds the position DNR, and
/// the two are equal for linear layers (one position).
fn check_channel_dnr(e: &prunelab_core::report::CycleEntry) {
    let channel = e.dnr_channel.as_ref().expect("the channel DNR is recorded");
    assert_eq!(channel.per_layer.len(), e.dnr.per_layer.len());
    for (c, p) in channel.per_layer.iter().zip(&e.dnr.per_layer) {
        let (dead_c, dead_p) = (c.static_ + c.dynamic, p.static_ + p.dynamic);
        assert!(dead_c <= dead_p + 1e-12, "{}: {dead_c} > {dead_p}", c.layer);
        if c.units == p.units {
            assert!(
                (dead_c - dead_p).abs() < 1e-12,
                "{}: linear layers agree",
                c.layer
            );
        }
    }
}

#[test]
fn lenet_runs_on_wgpu() {
    let exp = experiment(Model::Lenet300, "");
    let (result, keep) = go(&exp, &Device::wgpu(Default::default()));
    check_checkpoints(&exp, &result, &keep);
    assert!(
        result.cycles[0].test_accuracy > 0.5,
        "{}",
        result.cycles[0].test_accuracy
    );
}

#[test]
fn same_seed_same_masks_on_flex() {
    let exp = experiment(Model::Lenet300, "cycles=1");
    let once = || go(&exp, &Device::flex()).0;
    assert_eq!(once(), once());
}

#[test]
fn every_base_method_and_ap_variant_reproduces_its_masks() {
    for extra in [
        "method=taylor&taylor_batches=3",
        "method=snip",
        "method=lamp&ap=lite",
        "method=lap",
        "method=imp",
        "method=imp&imp_scope=global",
        "method=random&ap=none",
        "method=l1-channel&ap=none&p=30",
        "method=l2-channel",
        "ap=solo",
        "ap=no-wr",
        "ap=bias&ap_bias_k=0.5",
        "ap=none&act_reg=hoyer&act_reg_weight=0.1",
        "ap=none&act_reg=l1&act_reg_weight=0.001",
        "retrain=fine-tune&finetune_lr=0.01",
        "retrain=lr-rewind",
        "q=auto",
    ] {
        let exp = experiment(Model::Lenet300, extra);
        let (result, keep) = go(&exp, &Device::flex());
        check_checkpoints(&exp, &result, &keep);
        assert!(
            result.cycles.iter().all(|e| e.train_loss.is_finite()),
            "{extra}: loss diverged"
        );
        let taylor_or_snip = extra.contains("taylor") || extra.contains("snip");
        assert_eq!(
            keep.checkpoints[0].f32("fc1.weight_score").is_some(),
            taylor_or_snip,
            "{extra}: scores only for Taylor/SNIP"
        );
        if extra.contains("bias") {
            assert!(
                result.cycles[0].pruned.boosted > 0 && result.cycles[0].pruned.ap == 0,
                "{:?}",
                result.cycles[0].pruned
            );
        }
    }
}

#[test]
fn channel_pruning_removes_whole_filters() {
    let exp = experiment(Model::Lenet300, "method=l1-channel&ap=none&p=30&cycles=1");
    let (_, keep) = go(&exp, &Device::flex());
    let mask = kernels(&keep.checkpoints[0], "_mask");
    let fc1_rows: Vec<bool> = mask[0]
        .chunks(784)
        .map(|row| row.iter().any(|&m| m != 0.0))
        .collect();
    assert_eq!(
        fc1_rows.iter().filter(|alive| !**alive).count(),
        90,
        "30 % of 300 neurons"
    );
    assert!(
        mask[0]
            .chunks(784)
            .all(|row| row.iter().all(|&m| m == row[0])),
        "rows are all kept or all pruned"
    );
}

#[test]
fn rewinding_to_iteration_k_stores_theta_k_as_the_rewind_point() {
    let plain = go(&experiment(Model::Lenet300, "cycles=1"), &Device::flex()).1;
    let exp = experiment(Model::Lenet300, "cycles=1&rewind_iteration=3");
    let (result, keep) = go(&exp, &Device::flex());
    check_checkpoints(&exp, &result, &keep);
    let (theta0, theta_k) = (
        kernels(&plain.checkpoints[0], "_init"),
        kernels(&keep.checkpoints[0], "_init"),
    );
    assert_ne!(theta0, theta_k, "θ_k differs from θ0");
    assert_eq!(
        kernels(&keep.checkpoints[0], ""),
        kernels(&plain.checkpoints[0], ""),
        "same training"
    );
}

/// `retrain = "reinit"` (AP paper, Algorithm 2): every cycle starts from its own fresh He draw —
/// cycle k's `_init` differs from cycle k−1's, has the spread √(2 / fan_in) of He et al. 2015, and
/// is the θ0 the AP step of that cycle measured |θ* − θ0| from (`check_checkpoints`); cycle 0's is
/// the ordinary θ0.
#[test]
fn reinit_draws_a_fresh_he_initialisation_every_cycle() {
    let plain = go(&experiment(Model::Lenet300, "cycles=1"), &Device::flex()).1;
    let exp = experiment(Model::Lenet300, "retrain=reinit");
    let (result, keep) = go(&exp, &Device::flex());
    check_checkpoints(&exp, &result, &keep);
    let inits: Vec<Vec<Vec<f32>>> = keep
        .checkpoints
        .iter()
        .map(|c| kernels(c, "_init"))
        .collect();
    assert_eq!(inits.len(), 3);
    assert_eq!(
        inits[0],
        kernels(&plain.checkpoints[0], "_init"),
        "cycle 0 starts at θ0"
    );
    for k in 1..inits.len() {
        for (layer, (now, before)) in layers(&keep.checkpoints[k])
            .iter()
            .zip(inits[k].iter().zip(&inits[k - 1]))
        {
            assert_ne!(now, before, "cycle {k}, {}: a fresh draw", layer.name);
            let n = now.len() as f64;
            let mean = now.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            let std = (now
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / n)
                .sqrt();
            let he = (2.0 / layer.fan_in() as f64).sqrt();
            assert!(
                (std / he - 1.0).abs() < 0.1 && mean.abs() < 0.1 * he,
                "cycle {k}, {}: std {std} vs He {he}, mean {mean}",
                layer.name
            );
        }
    }
    let survivors = Masks::from_f32(&kernels(&keep.checkpoints[1], "_mask_prev"));
    assert!(
        survivors.remaining() < 1.0,
        "the mask is kept across the draw"
    );
}

/// `prune_classifier = false` (OpenLTH, ShrinkBench): the classifier stays dense and outside the
/// masks, so λ counts fc1 and fc2 only and p = 20 % lands on exactly 0.8 of them.
#[test]
fn a_kept_classifier_is_dense_and_outside_lambda() {
    let exp = experiment(Model::Lenet300, "prune_classifier=false");
    let (result, keep) = go(&exp, &Device::flex());
    check_checkpoints(&exp, &result, &keep);
    let last = keep.checkpoints.last().expect("a checkpoint");
    assert_eq!(last.kernel_names(), ["fc1.weight", "fc2.weight"]);
    assert!(last.f32("fc3.weight_mask").is_none());
    let (_, fc3) = last.f32("fc3.weight").expect("the classifier");
    assert!(fc3.iter().all(|&w| w != 0.0), "never pruned");
    assert!(
        (result.cycles[1].remaining - 0.8).abs() < 1e-12,
        "{}",
        result.cycles[1].remaining
    );
}

#[test]
fn one_shot_gradual_and_target_schedules() {
    let one_shot = go(
        &experiment(Model::Lenet300, "schedule=one-shot&target=10&ap=none"),
        &Device::flex(),
    )
    .0;
    assert_eq!(one_shot.cycles.len(), 2);
    assert!(
        (one_shot.cycles[1].remaining - 0.1).abs() < 1e-3,
        "{}",
        one_shot.cycles[1].remaining
    );
    let until = go(
        &experiment(Model::Lenet300, "cycles=50&target=60&ap=none"),
        &Device::flex(),
    )
    .0;
    let lambdas: Vec<f64> = until.cycles.iter().map(|e| e.remaining).collect();
    assert_eq!(
        lambdas.len(),
        4,
        "100 → 80 → 64 → 51.2 ≤ 60 stops: {lambdas:?}"
    );
    let gradual = go(
        &experiment(
            Model::Lenet300,
            "schedule=gradual&target=20&ap=none&epochs=2&gradual_steps=3",
        ),
        &Device::flex(),
    )
    .0;
    assert_eq!(gradual.cycles.len(), 1);
    assert!(
        (gradual.cycles[0].remaining - 0.2).abs() < 1e-3,
        "{}",
        gradual.cycles[0].remaining
    );
    assert!(gradual.cycles[0].test_accuracy > 0.5);
}

#[test]
fn validation_split_gives_early_stop_accuracy() {
    let (result, _) = go(
        &experiment(Model::Lenet300, "cycles=1&epochs=3&val_size=60"),
        &Device::flex(),
    );
    for e in &result.cycles {
        assert!(e.val_accuracy.is_some_and(|v| (0.0..=1.0).contains(&v)));
        assert!(e.best_epoch < 3);
    }
    let err = futures::executor::block_on(run(
        &experiment(Model::Lenet300, "val_size=320"),
        &split(),
        &Device::flex(),
        &mut Keep::default(),
    ));
    assert!(err.is_err_and(|e| e.to_string().contains("val_size (320) must be smaller")));
}

/// LibTorch (feature `tch`): the checkpoints pass the same checks, and the same fixed-seed run
/// lands within a point of flex's accuracy in every cycle.
#[cfg(feature = "tch")]
#[test]
fn lenet_on_tch_matches_flex() {
    let exp = experiment(Model::Lenet300, "");
    let (tch, keep) = go(&exp, &tch_cpu());
    check_checkpoints(&exp, &tch, &keep);
    let (flex, _) = go(&exp, &Device::flex());
    for (t, f) in tch.cycles.iter().zip(&flex.cycles) {
        assert!(
            (t.test_accuracy - f.test_accuracy).abs() <= 0.01,
            "tch {} vs flex {}",
            t.test_accuracy,
            f.test_accuracy
        );
    }
}

/// Conv nets (libtorch's conv and batch-norm kernels) and every base method and AP variant on
/// LibTorch: masks re-derived from each checkpoint, pruned weights exactly zero.
#[cfg(feature = "tch")]
#[test]
fn conv_nets_methods_and_ap_variants_run_on_tch() {
    for (model, extra) in [
        (Model::Cnn, ""),
        (Model::Resnet20, ""),
        (Model::Resnet20, "method=taylor&taylor_batches=2"),
        (Model::Lenet300, "method=snip&ap=lite"),
        (Model::Lenet300, "method=lamp&ap=solo"),
        (Model::Lenet300, "method=l2-channel&ap=no-wr"),
        (Model::Lenet300, "method=imp&ap=bias&ap_bias_k=0.5"),
        (
            Model::Lenet300,
            "ap=none&act_reg=hoyer&act_reg_weight=0.1&retrain=lr-rewind",
        ),
    ] {
        let exp = experiment(model, extra);
        let (result, keep) = go(&exp, &tch_cpu());
        check_checkpoints(&exp, &result, &keep);
        assert!(
            result
                .cycles
                .iter()
                .all(|e| e.train_loss.is_finite() && e.test_accuracy.is_finite()),
            "{model} {extra}"
        );
    }
}

/// LibTorch on the CPU (burn 0.22 marks the backend deprecated; prunelab keeps it for PyTorch's kernels).
#[cfg(feature = "tch")]
#[allow(deprecated)]
fn tch_cpu() -> Device {
    Device::libtorch()
}
