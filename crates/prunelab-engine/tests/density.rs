//! Activation-density pruning end to end on a tiny synthetic task (flex): net0 → net1 → net2,
//! each net's widths the previous net's `round(AE × width)` from the AE of its last training
//! epoch — the same counts its `Epoch` events carry as DNR — with ρ, δ and the accounting filled
//! in, net_i exported at its widths, and a run resumed from any epoch's snapshot equal to an
//! uninterrupted one (floats up to the last bit JSON keeps in the resume record).

use burn::prelude::*;
use prunelab_core::Experiment;
use prunelab_core::density::criterion::saturated;
use prunelab_core::density::inherit::keep_channels;
use prunelab_core::density::resize;
use prunelab_core::macs::totals;
use prunelab_core::report::RunResult;
use prunelab_data::{Dataset, Split};
use prunelab_engine::{Checkpoint, EngineError, Event, Observer, Source, run, run_from};
use prunelab_models::{InputShape, Network};

/// 10 classes of 1×28×28 images: class k lights a bar at rows 2k+2..2k+5, plus noise.
fn bars(n: usize, seed: u64) -> Dataset {
    let mut rng = prunelab_core::rng::Rng::new(seed, 9);
    let mut images = Vec::with_capacity(n * 784);
    for i in 0..n {
        for r in 0..28 {
            for _ in 0..28 {
                let noise = rng.below(60) as u8;
                images.push(if (2 * (i % 10) + 2..2 * (i % 10) + 5).contains(&r) {
                    255 - noise
                } else {
                    noise
                });
            }
        }
    }
    Dataset {
        images,
        labels: (0..n).map(|i| (i % 10) as u16).collect(),
        shape: [1, 28, 28],
        classes: 10,
    }
}

fn split() -> Source {
    Source::from(Split {
        train: bars(200, 1),
        test: bars(60, 2),
    })
}

/// Keeps per-layer AE from the epoch events (1 − static − dynamic DNR), the nets' checkpoints,
/// and, when `snapshots`, every resume snapshot.
#[derive(Default)]
struct Keep {
    epoch_ae: Vec<Vec<f64>>,
    nets: Vec<Checkpoint>,
    snapshots: Option<Vec<Checkpoint>>,
}

impl Observer for Keep {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        match event {
            Event::Epoch { dnr, .. } => self.epoch_ae.push(
                dnr.per_layer
                    .iter()
                    .map(|l| 1.0 - l.static_ - l.dynamic)
                    .collect(),
            ),
            Event::Net { checkpoint, .. } => self
                .nets
                .push(Checkpoint::from_bytes(&checkpoint.to_bytes()?)?),
            Event::Snapshot(s) => {
                if let Some(all) = &mut self.snapshots {
                    all.push(Checkpoint::from_bytes(
                        &s.to_checkpoint(&experiment().to_hash())?.to_bytes()?,
                    )?);
                }
            }
            Event::Status(_) | Event::Cycle { .. } => {}
        }
        Ok(())
    }

    fn wants_snapshots(&self) -> bool {
        self.snapshots.is_some()
    }
}

/// δ never stops this run (slope cap 1 AE per epoch): it trains the `density_nets = 3` nets.
fn experiment() -> Experiment {
    let hash = "model=cnn&method=density&epochs=4&rho_threshold=0.01&rho_epochs=1&delta_slope=1&density_nets=3&lr=0.05&batch=50";
    let (exp, notices) = Experiment::from_hash(hash, &[]);
    assert!(notices.is_empty(), "{notices:?}");
    exp.validate().expect("valid");
    exp
}

fn go(keep: &mut Keep, resume: Option<&Checkpoint>) -> RunResult {
    futures::executor::block_on(run_from(
        &experiment(),
        &split(),
        &Device::flex(),
        keep,
        resume,
    ))
    .expect("density run")
}

#[test]
fn net0_net1_net2_follow_the_width_rule() {
    follow_the_width_rule(&Device::flex());
}

/// The same run on LibTorch (feature `tch`): AE from its zero counts, nets resized alike.
#[cfg(feature = "tch")]
#[test]
fn net0_net1_net2_follow_the_width_rule_on_tch() {
    follow_the_width_rule(&tch_cpu());
}

fn follow_the_width_rule(device: &Device) {
    let exp = experiment();
    let mut keep = Keep::default();
    let result =
        futures::executor::block_on(run(&exp, &split(), device, &mut keep)).expect("density run");
    assert!(result.complete && result.cycles.is_empty());
    assert_eq!(result.nets.len(), 3, "net0 → net1 → net2");
    let input = InputShape([1, 28, 28]);
    let mut widths = Network::widths_of(exp.model, input, 10).expect("cnn resizes");
    let base = totals(&Network::costs(exp.model, input, 10));
    let mut epochs_seen = 0;
    for (i, net) in result.nets.iter().enumerate() {
        assert_eq!(net.net as usize, i);
        assert_eq!(
            net.widths,
            widths,
            "net{i}: widths from net{}'s AE",
            i.max(1) - 1
        );
        assert_eq!(net.layers, ["conv1", "conv2", "fc1"]);
        // the AE curve is the training passes' counts the epoch events reported as DNR
        let events = &keep.epoch_ae[epochs_seen..epochs_seen + net.epochs as usize];
        epochs_seen += net.epochs as usize;
        assert_eq!(net.ae.len(), net.epochs as usize);
        for (mine, theirs) in net.layer_ae.iter().zip(events) {
            assert!(
                mine.iter().zip(theirs).all(|(a, b)| (a - b).abs() < 1e-9),
                "{mine:?} vs {theirs:?}"
            );
        }
        // ρ: met at `epochs_to_rho` and not before; otherwise the 4-epoch cap came first
        let rho = |n: usize| saturated(&net.ae[..n], exp.rho_threshold, exp.rho_epochs as usize);
        match net.epochs_to_rho {
            Some(e) => assert!(
                e == net.epochs && rho(e as usize) && !rho(e as usize - 1),
                "net{i}: {:?}",
                net.ae
            ),
            None => assert!(net.epochs == exp.epochs && (1..=net.epochs as usize).all(|n| !rho(n))),
        }
        assert!(!net.rising, "δ is off in this run");
        let t =
            totals(&Network::costs_with_widths(exp.model, input, 10, &net.widths).expect("costs"));
        assert_eq!((net.parameters, net.macs), (t.parameters, t.macs));
        assert_eq!(
            net.parameters_reduction,
            base.parameters as f64 / t.parameters as f64
        );
        assert_eq!(net.ops_reduction, base.macs as f64 / t.macs as f64);
        assert!(net.test_accuracy > 0.0 && net.train_loss.is_finite());
        // the export holds the net at its widths
        let ck = &keep.nets[i];
        assert_eq!(
            ck.metadata.get("widths"),
            Some(&serde_json::to_string(&widths).expect("json"))
        );
        assert_eq!(
            ck.f32("conv1.weight").map(|(s, _)| s),
            Some(vec![widths[0], 1, 3, 3])
        );
        assert_eq!(
            ck.f32("fc2.weight").map(|(s, _)| s),
            Some(vec![10, widths[2]])
        );
        widths = resize(&widths, net.layer_ae.last().expect("an epoch"));
    }
    assert!(
        result.nets[1].macs < result.nets[0].macs && result.nets[2].macs <= result.nets[1].macs
    );
    assert_eq!(result.nets[0].ops_reduction, 1.0);
}

/// `a` and `b` are equal, numbers to 1e-12 relative (serde_json may parse the last bit of a
/// float differently from the value it printed).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A run resumed from the snapshot after any of its epochs (or at the start of any net) ends as
/// the uninterrupted run does.
#[test]
fn resumes_from_any_snapshot_to_the_same_result() {
    let mut keep = Keep {
        snapshots: Some(Vec::new()),
        ..Keep::default()
    };
    let whole = go(&mut keep, None);
    let snapshots = keep.snapshots.take().expect("snapshots");
    assert!(
        snapshots.len() >= 6,
        "one per epoch and net start: {}",
        snapshots.len()
    );
    for at in [1, snapshots.len() / 2, snapshots.len() - 1] {
        let resumed = go(&mut Keep::default(), Some(&snapshots[at]));
        let json = |r: &RunResult| serde_json::to_value(r).expect("json");
        assert!(
            same(&json(&resumed), &json(&whole)),
            "resumed from snapshot {at}:\n{resumed:?}\n{whole:?}"
        );
        assert_eq!(
            resumed.nets.iter().map(|n| &n.widths).collect::<Vec<_>>(),
            whole.nets.iter().map(|n| &n.widths).collect::<Vec<_>>()
        );
    }
    // a snapshot of another experiment is refused
    let other = Experiment {
        rho_epochs: 2,
        ..experiment()
    };
    let err = futures::executor::block_on(run_from(
        &other,
        &split(),
        &Device::flex(),
        &mut Keep::default(),
        Some(&snapshots[1]),
    ))
    .expect_err("another experiment");
    assert!(err.to_string().contains("another experiment"), "{err}");
}

/// `density_init = "inherit"`: net1 starts from net0's trained filters — conv1's kept filters,
/// conv2's kept filters over the kept conv1 channels, fc1 over the kept conv2 channels at every
/// position — while `fresh` starts elsewhere.
#[test]
fn inherit_starts_net1_from_a_random_subset_of_net0s_filters() {
    let exp = Experiment {
        density_init: prunelab_core::state::DensityInit::Inherit,
        density_nets: 2,
        ..experiment()
    };
    let mut keep = Keep {
        snapshots: Some(Vec::new()),
        ..Keep::default()
    };
    let result = futures::executor::block_on(run(&exp, &split(), &Device::flex(), &mut keep))
        .expect("density run");
    assert_eq!(result.nets.len(), 2);
    let snapshots = keep.snapshots.take().expect("snapshots");
    let start = snapshots
        .iter()
        .find(|s| {
            s.metadata
                .get("progress")
                .is_some_and(|p| p.contains("\"cycle\":1,\"epoch\":0,"))
        })
        .expect("the snapshot at net1's start");
    let (w0, w1) = (&result.nets[0].widths, &result.nets[1].widths);
    let kept = keep_channels(w0, w1, exp.seed, 1);
    let trained = &keep.nets[0];
    let value = |ck: &Checkpoint, name: &str| ck.f32(name).expect(name).1;
    let conv2_old = value(trained, "conv2.weight");
    let conv2_new = value(start, "conv2.weight");
    for (j, &oj) in kept[1].iter().enumerate() {
        for (c, &oc) in kept[0].iter().enumerate() {
            for k in 0..9 {
                assert_eq!(
                    conv2_new[(j * w1[0] + c) * 9 + k],
                    conv2_old[(oj * w0[0] + oc) * 9 + k],
                    "conv2[{j}][{c}][{k}]"
                );
            }
        }
    }
    let positions = 7 * 7;
    let (fc_old, fc_new) = (value(trained, "fc1.weight"), value(start, "fc1.weight"));
    let (in_old, in_new) = (w0[1] * positions, w1[1] * positions);
    for (r, &or) in kept[2].iter().enumerate() {
        for (c, &oc) in kept[1].iter().enumerate() {
            for p in 0..positions {
                assert_eq!(
                    fc_new[r * in_new + c * positions + p],
                    fc_old[or * in_old + oc * positions + p]
                );
            }
        }
    }
    assert_eq!(
        value(start, "fc2.bias"),
        value(trained, "fc2.bias"),
        "the classifier's bias is not resized"
    );
    assert_eq!(
        value(start, "conv1.weight_init"),
        value(start, "conv1.weight"),
        "the inherited values are the net's θ0"
    );
    // a fresh net1 does not start there
    let mut fresh = Keep {
        snapshots: Some(Vec::new()),
        ..Keep::default()
    };
    let exp = Experiment {
        density_nets: 2,
        ..experiment()
    };
    futures::executor::block_on(run(&exp, &split(), &Device::flex(), &mut fresh))
        .expect("fresh run");
    let fresh_start = fresh
        .snapshots
        .expect("snapshots")
        .into_iter()
        .find(|s| {
            s.metadata
                .get("progress")
                .is_some_and(|p| p.contains("\"cycle\":1,\"epoch\":0,"))
        })
        .expect("net1 start");
    assert_ne!(value(&fresh_start, "fc2.bias"), value(trained, "fc2.bias"));
}

/// The residual path end to end: ResNet-20 on random 3×32×32 images, net1 inheriting from net0.
/// Every block of net1 whose input and output widths differ (or that strides) has a projection in
/// its cost list, and only those.
#[test]
fn resnet20_resizes_with_projections() {
    let mut rng = prunelab_core::rng::Rng::new(3, 3);
    let mut images = |n: usize| Dataset {
        images: (0..n * 3072).map(|_| rng.below(256) as u8).collect(),
        labels: (0..n).map(|i| (i % 10) as u16).collect(),
        shape: [3, 32, 32],
        classes: 10,
    };
    let source = Source::from(Split {
        train: images(48),
        test: images(16),
    });
    let hash = "model=resnet20&method=density&epochs=2&rho_epochs=1&delta_slope=1&density_nets=2&density_init=inherit&batch=16";
    let (exp, notices) = Experiment::from_hash(hash, &[]);
    assert!(notices.is_empty(), "{notices:?}");
    let result =
        futures::executor::block_on(run(&exp, &source, &Device::flex(), &mut Keep::default()))
            .expect("density run");
    assert_eq!(result.nets.len(), 2);
    let w = &result.nets[1].widths;
    assert_eq!(w.len(), 19);
    let projected: Vec<usize> = (0..9)
        .filter(|&b| {
            result.nets[1]
                .costs
                .iter()
                .any(|c| c.layer == format!("blocks.{b}.shortcut.conv"))
        })
        .collect();
    let expected: Vec<usize> = (0..9)
        .filter(|&b| b == 3 || b == 6 || w[if b == 0 { 0 } else { 2 * b }] != w[2 + 2 * b])
        .collect();
    assert_eq!(projected, expected, "widths {w:?}");
    assert!(result.nets[1].macs < result.nets[0].macs);
}

/// LibTorch on the CPU (burn 0.22 marks the backend deprecated; prunelab keeps it for PyTorch's kernels).
#[cfg(feature = "tch")]
#[allow(deprecated)]
fn tch_cpu() -> Device {
    Device::libtorch()
}
