//! One forward + backward pass of every model on the CPU (flex with autodiff, as the engine
//! trains), batch 2 at small inputs: the logits have the right shape, the loss is finite, the first
//! kernel gets a non-zero gradient, and the probe counts one tensor per `UnitLayer` with that
//! layer's channels and at most `batch × positions` dead units per channel — exactly that many when
//! the norms and biases are set so that every unit is dead.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use burn::tensor::Distribution;
use prunelab_core::state::Model;
use prunelab_models::params::{self, Role};
use prunelab_models::{InputShape, Network, Probe, Vit, VitPlan};

const BATCH: usize = 2;

fn forward_backward(net: Network, input: [usize; 3], classes: usize, device: &Device) {
    let [c, h, w] = input;
    let x = Tensor::<4>::random([BATCH, c, h, w], Distribution::Normal(0.0, 1.0), device);
    let y = Tensor::<1, Int>::from_data([0, (classes - 1) as i64], device);
    let mut probe = Probe::counting();
    let logits = net.forward(x, &mut probe);
    assert_eq!(logits.dims(), [BATCH, classes]);
    let loss = CrossEntropyLossConfig::new()
        .init(device)
        .forward(logits, y);
    let loss_value: Vec<f32> = loss
        .clone()
        .inner()
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32 loss");
    assert!(loss_value[0].is_finite(), "loss {loss_value:?}");
    let grads = loss.backward();
    let (info, grad) = params::grads(&net, &grads)
        .into_iter()
        .find(|(i, _)| i.role == Role::Kernel)
        .expect("a kernel");
    let grad: Vec<f32> = grad
        .expect("first kernel has a gradient")
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32 grad");
    assert!(
        grad.iter().any(|&g| g != 0.0) && grad.iter().all(|g| g.is_finite()),
        "{}: gradient",
        info.name
    );

    let units = net.units();
    assert_eq!(
        probe.zeros.len(),
        units.len(),
        "one zero count per unit layer"
    );
    let (mut dead, mut all) = (0u64, 0u64);
    for (unit, zeros) in units.iter().zip(probe.zeros) {
        assert_eq!(zeros.dims(), [unit.channels], "{}", unit.name);
        let counts: Vec<i64> = zeros
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .expect("int counts");
        let most = (BATCH * unit.positions) as i64;
        assert!(
            counts.iter().all(|&n| (0..=most).contains(&n)),
            "{}: {counts:?} > {most}",
            unit.name
        );
        dead += counts.iter().sum::<i64>() as u64;
        all += (BATCH * unit.units()) as u64;
    }
    let rate = dead as f64 / all as f64;
    assert!(
        (0.05..0.95).contains(&rate),
        "dead rate {rate} at initialisation"
    );
    assert_all_dead_counts(net, input, device);
}

/// With every norm's γ and β at 0 and every bias at −1, each counted unit is dead on each sample
/// (every BN/LayerNorm outputs 0; ViT's first MLP layer then outputs its bias), so each channel's
/// count must be exactly `batch × positions`: this checks `positions` of every unit layer.
fn assert_all_dead_counts(net: Network, [c, h, w]: [usize; 3], device: &Device) {
    let net = params::update(net, |info, flat| match info.role {
        Role::Norm => Some(flat.zeros_like()),
        Role::Bias => Some(flat.zeros_like() - 1.0),
        _ => None,
    });
    let mut probe = Probe::counting();
    net.forward(
        Tensor::random([BATCH, c, h, w], Distribution::Normal(0.0, 1.0), device),
        &mut probe,
    );
    for (unit, zeros) in net.units().iter().zip(probe.zeros) {
        let counts: Vec<i64> = zeros
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .expect("int counts");
        assert_eq!(
            counts,
            vec![(BATCH * unit.positions) as i64; unit.channels],
            "{}",
            unit.name
        );
    }
}

fn run(model: Model, input: [usize; 3], classes: usize) {
    let device = Device::flex().autodiff();
    forward_backward(
        Network::new(model, InputShape(input), classes, &device),
        input,
        classes,
        &device,
    );
}

#[test]
fn resnet20() {
    run(Model::Resnet20, [3, 32, 32], 10);
}

#[test]
fn resnet56() {
    run(Model::Resnet56, [3, 32, 32], 10);
}

#[test]
fn vgg19() {
    run(Model::Vgg19, [3, 32, 32], 10);
}

#[test]
fn densenet40() {
    run(Model::Densenet40, [3, 32, 32], 100);
}

#[test]
fn mobilenetv2() {
    run(Model::Mobilenetv2, [3, 32, 32], 100);
}

#[test]
fn resnet18() {
    run(Model::Resnet18, [3, 32, 32], 10);
}

#[test]
fn resnet50() {
    run(Model::Resnet50, [3, 64, 64], 1000);
}

/// The ViT-B/16 code at depth 2, width 64, 4 heads, MLP 128 (the full size is counted in
/// `costs.rs`).
#[test]
fn vit_small() {
    let device = Device::flex().autodiff();
    let plan = VitPlan {
        input: InputShape([3, 32, 32]),
        patch: 16,
        dim: 64,
        depth: 2,
        heads: 4,
        mlp: 128,
        classes: 10,
    };
    forward_backward(
        Network::VitB16(Vit::from_plan(plan, &device)),
        [3, 32, 32],
        10,
        &device,
    );
}

#[test]
fn small_inputs_and_one_channel() {
    run(Model::Vgg19, [1, 28, 28], 10);
    run(Model::Mobilenetv2, [3, 16, 16], 10);
    run(Model::Densenet40, [1, 28, 28], 10);
}
