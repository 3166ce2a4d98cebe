//! Resizable networks (activation-density pruning): widths line up with the counted layers, a
//! resized network is built and runs with exactly its widths, residual blocks get projections
//! where their widths differ, and the parameter / MAC counts of a resized ResNet-18 follow the
//! paper's formulas (§IV.A: `#MAC = O²·N·k²·M`, parameters `N·M·k²`), computed here by hand.

use burn::prelude::*;
use burn::tensor::Distribution;
use prunelab_core::density::RESIZABLE;
use prunelab_core::density::inherit::{keep_channels, slice};
use prunelab_core::macs::totals;
use prunelab_core::state::Model;
use prunelab_models::params::{self, Role};
use prunelab_models::{InputShape, Network, Probe, RESNET18_WIDTHS, resnet18_plan};

fn input_of(model: Model) -> ([usize; 3], usize) {
    match model {
        Model::Lenet300 | Model::Cnn => ([1, 28, 28], 10),
        _ => ([3, 32, 32], 10),
    }
}

/// Table I, CIFAR-10 ResNet-18, net1.
const TABLE_I_NET1: [usize; 17] = [
    34, 29, 41, 25, 33, 58, 78, 27, 65, 71, 83, 46, 69, 120, 191, 219, 288,
];

#[test]
fn widths_are_the_counted_layers_and_resized_nets_have_them() {
    let device = Device::flex();
    for &model in RESIZABLE {
        let (input, classes) = input_of(model);
        let shape = InputShape(input);
        let standard = Network::widths_of(model, shape, classes).expect("resizable");
        let net = Network::new(model, shape, classes, &device);
        let channels: Vec<usize> = net.units().iter().map(|u| u.channels).collect();
        assert_eq!(
            channels, standard,
            "{model}: one width per counted layer, in order"
        );
        assert_eq!(
            totals(&Network::costs_with_widths(model, shape, classes, &standard).expect("costs")),
            totals(&Network::costs(model, shape, classes))
        );
        // a small resized net: widths 1, 2, 3, … (a width of 1 is allowed)
        let widths: Vec<usize> = (0..standard.len()).map(|i| 1 + i % 3).collect();
        let small = Network::with_widths(model, shape, classes, &widths, &device).expect("resized");
        let got: Vec<usize> = small.units().iter().map(|u| u.channels).collect();
        assert_eq!(got, widths, "{model}");
        let mut probe = Probe::counting();
        let x = Tensor::<4>::random(
            [2, input[0], input[1], input[2]],
            Distribution::Normal(0.0, 1.0),
            &device,
        );
        assert_eq!(small.forward(x, &mut probe).dims(), [2, classes], "{model}");
        let counted: Vec<usize> = probe.zeros.iter().map(|z| z.dims()[0]).collect();
        assert_eq!(
            counted, widths,
            "{model}: the probe counts the resized channels"
        );
        // the module holds exactly the parameters the resized cost list names
        let held: u64 = params::read(&small)
            .iter()
            .filter(|(i, _)| i.role != Role::Buffer)
            .map(|(i, _)| i.len() as u64)
            .sum();
        assert_eq!(
            held,
            totals(&Network::costs_with_widths(model, shape, classes, &widths).expect("costs"))
                .parameters,
            "{model}"
        );
    }
}

#[test]
fn bad_widths_are_errors() {
    let shape = InputShape([1, 28, 28]);
    let device = Device::flex();
    assert!(Network::widths_of(Model::VitB16, shape, 10).is_none());
    let err = |m, w: &[usize]| {
        Network::with_widths(m, shape, 10, w, &device)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert_eq!(err(Model::Cnn, &[3, 4]), "cnn takes 3 widths, got 2");
    assert_eq!(
        err(Model::Lenet300, &[0, 4]),
        "every width must be at least 1, got [0, 4]"
    );
    assert_eq!(
        err(Model::Densenet40, &[1]),
        "densenet40 has no resizable layer widths"
    );
    assert_eq!(
        Network::costs_with_widths(Model::Resnet18, shape, 10, &[1; 16]).err(),
        Some(prunelab_models::WidthError::Count {
            model: Model::Resnet18,
            expected: 17,
            got: 16
        })
    );
}

/// Residual constraint (documented in `prunelab_core::density`): every conv keeps its own width;
/// a block whose input and output widths differ (or that strides) adds a 1×1 projection; an
/// identity shortcut remains only where they match.
#[test]
fn residual_blocks_project_where_widths_differ() {
    let mut widths = RESNET18_WIDTHS;
    widths[2] = 40; // block 0 out: 64 → 40 (input 64): projection
    widths[4] = 40; // block 1: input 40, out 40: identity
    let plan = resnet18_plan(InputShape([3, 32, 32]), 10, &widths);
    let costs = plan.costs();
    let projections: Vec<String> = costs
        .iter()
        .filter(|c| c.layer.ends_with("shortcut.conv"))
        .map(|c| c.layer.clone())
        .collect();
    assert_eq!(
        projections,
        [
            "blocks.0.shortcut.conv",
            "blocks.2.shortcut.conv",
            "blocks.4.shortcut.conv",
            "blocks.6.shortcut.conv"
        ]
    );
    assert_eq!(plan.blocks[1].c_in, 40);
    let standard = resnet18_plan(InputShape([3, 32, 32]), 10, &RESNET18_WIDTHS).costs();
    assert!(
        !standard.iter().any(|c| c.layer == "blocks.0.shortcut.conv"),
        "the standard block 0 is an identity"
    );
    // the block's second ReLU sums conv2 and the projection: both feed it
    let units = plan.units();
    assert_eq!(units[2].name, "blocks.0.relu2");
    assert_eq!(units[2].incoming.len(), 2);
    assert!(
        units[4].identity_path && units[4].incoming.len() == 1,
        "identity shortcut: fed by conv2 alone, plus a weightless path"
    );
}

/// Parameters and MACs of Table I's ResNet-18 net1 by the paper's formulas, layer by layer:
/// conv `N·M·k²` parameters and `O²·N·k²·M` MACs, BN `2·M`, fc `in·out + out`.
#[test]
fn resized_resnet18_costs_follow_the_papers_formula() {
    let w = TABLE_I_NET1;
    let (mut params, mut macs) = (0u64, 0u64);
    let mut conv = |n: usize, m: usize, k: usize, o: usize| {
        params += (n * m * k * k + 2 * m) as u64; // the conv and its BN
        macs += (o * o * n * k * k * m) as u64;
    };
    conv(3, w[0], 3, 32);
    let (mut c_in, mut size) = (w[0], 32);
    for b in 0..8 {
        let stride = if b >= 2 && b % 2 == 0 { 2 } else { 1 };
        let o = size / stride;
        let (mid, out) = (w[1 + 2 * b], w[2 + 2 * b]);
        conv(c_in, mid, 3, o);
        conv(mid, out, 3, o);
        if stride != 1 || c_in != out {
            conv(c_in, out, 1, o);
        }
        (c_in, size) = (out, o);
    }
    params += (w[16] * 10 + 10) as u64;
    macs += (w[16] * 10) as u64;
    let got = totals(
        &Network::costs_with_widths(Model::Resnet18, InputShape([3, 32, 32]), 10, &w)
            .expect("costs"),
    );
    assert_eq!((got.parameters, got.macs), (params, macs));
    // against net0 (11 173 962 parameters, 555 422 720 MACs), counting the projections the
    // resized blocks need: ÷6.94 and ÷5.67
    let (p, o) = (11_173_962.0 / params as f64, 555_422_720.0 / macs as f64);
    assert_eq!(((p * 100.0).round(), (o * 100.0).round()), (694.0, 567.0));
}

/// Table I's reductions count the 17 listed convs (and BN, fc) but no projection shortcut: so
/// counted, the resized configurations give the paper's figures to within its rounding.
#[test]
fn table_i_reductions_without_projections() {
    let shape = InputShape([3, 32, 32]);
    let listed = |w: &[usize]| {
        let costs = Network::costs_with_widths(Model::Resnet18, shape, 10, w).expect("costs");
        totals(
            &costs
                .into_iter()
                .filter(|c| !c.layer.contains("shortcut"))
                .collect::<Vec<_>>(),
        )
    };
    let net0 = listed(&RESNET18_WIDTHS);
    let net2 = [
        21, 16, 30, 10, 22, 24, 47, 9, 39, 26, 48, 12, 39, 41, 85, 63, 188,
    ];
    for (w, paper_params, paper_ops) in [(&TABLE_I_NET1[..], 7.3, 6.0), (&net2[..], 41.2, 23.2)] {
        let t = listed(w);
        let (p, o) = (
            net0.parameters as f64 / t.parameters as f64,
            net0.macs as f64 / t.macs as f64,
        );
        assert!(
            (p / paper_params - 1.0).abs() < 0.01 && (o / paper_ops - 1.0).abs() < 0.01,
            "{p:.2}× vs {paper_params}×, {o:.2}× vs {paper_ops}×"
        );
    }
}

/// `density_init = "inherit"`: every tensor of a resized net is a slice of the same tensor of the
/// larger net along the axes `Network::axes` names — except the projections a resized block
/// gains, which the larger net lacks.
#[test]
fn every_tensor_slices_from_the_larger_net() {
    let device = Device::flex();
    for &model in RESIZABLE {
        let (input, classes) = input_of(model);
        let shape = InputShape(input);
        let old_widths = Network::widths_of(model, shape, classes).expect("resizable");
        let new_widths: Vec<usize> = old_widths
            .iter()
            .enumerate()
            .map(|(i, w)| (w / 2 + i % 2).max(1))
            .collect();
        let (old, new) = (
            Network::new(model, shape, classes, &device),
            Network::with_widths(model, shape, classes, &new_widths, &device).expect("resized"),
        );
        let keep = keep_channels(&old_widths, &new_widths, 1, 1);
        let old_tensors = params::read(&old);
        for (info, _) in params::read(&new) {
            let axes = new
                .axes(&info.name)
                .unwrap_or_else(|| panic!("{model}: no axes for {}", info.name));
            assert_eq!(axes.len(), info.shape.len(), "{model}: {}", info.name);
            match old_tensors.iter().find(|(o, _)| o.name == info.name) {
                Some((o, _)) => {
                    let values: Vec<f32> = (0..o.len()).map(|v| v as f32).collect();
                    assert!(
                        slice(&values, &o.shape, &info.shape, &axes, &keep).is_some(),
                        "{model}: {} {:?} → {:?}",
                        info.name,
                        o.shape,
                        info.shape
                    );
                }
                None => assert!(
                    info.name.contains("shortcut"),
                    "{model}: {} only in the resized net",
                    info.name
                ),
            }
        }
    }
}
