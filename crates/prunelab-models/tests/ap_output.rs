//! AP-output's candidate set on residual nets (AP paper, §4.4, Table 10): every kernel that feeds a
//! ReLU may be chosen, including conv2 of a block behind an identity shortcut, while that block's
//! ReLU is never counted static (eq. 1–2: its input has a weightless path).

use prunelab_core::ap::{row_dead_rate, select_output};
use prunelab_core::dnr::{ZeroCounts, dnr};
use prunelab_core::mask::{Layer, Masks};
use prunelab_core::state::Model;
use prunelab_models::params::{self, Role};
use prunelab_models::{InputShape, Network};

fn kernels(net: &Network) -> Vec<Layer> {
    params::read(net)
        .into_iter()
        .filter(|(i, _)| i.role == Role::Kernel)
        .map(|(i, _)| Layer::new(i.name, &i.shape))
        .collect()
}

/// Every kernel of a residual net but the classifier feeds some counted ReLU, so AP-output can
/// reach it (before, conv2 of each identity block fed none: 7 of ResNet-20's 9 blocks).
#[test]
fn every_residual_kernel_but_the_classifier_feeds_a_relu() {
    let device = burn::prelude::Device::flex();
    for (model, input) in [
        (Model::Resnet20, [3, 32, 32]),
        (Model::Resnet56, [3, 32, 32]),
        (Model::Resnet18, [3, 32, 32]),
        (Model::Resnet50, [3, 64, 64]),
    ] {
        let net = Network::new(model, InputShape(input), 10, &device);
        let (layers, units) = (kernels(&net), net.units());
        let classifier = layers.len() - 1;
        for (l, layer) in layers.iter().enumerate().take(classifier) {
            assert!(
                units.iter().any(|u| u.incoming.contains(&l)),
                "{model}: {} feeds no counted ReLU",
                layer.name
            );
        }
        assert!(!units.iter().any(|u| u.incoming.contains(&classifier)));
    }
}

/// ResNet-20, hand-checked. Kernels in model order: 0 stem, 1–2 block 0 (identity), …, 7–9
/// block 3 (conv1, conv2, projection). One sample; channel 3 of `blocks.0.relu2` is dead at all
/// 32·32 positions, channel 5 at half of them; nothing else is dead.
/// - dead rates of `blocks.0.conv2`: row 3 → 1.0, row 5 → 0.5, others 0; the classifier: none;
/// - AP-output with every weight negative picks row 3's 16·3·3 = 144 weights first (block 3's dead
///   channel ties at rate 1 and follows in layer order), and row 5's after them;
/// - with row 3 of `blocks.0.conv2` fully pruned the ReLU is still dynamic (identity path), while
///   block 3's ReLU goes static once both its conv2 row and its projection row are pruned.
#[test]
fn ap_output_chooses_conv2_behind_an_identity_shortcut() {
    let device = burn::prelude::Device::flex();
    let net = Network::new(Model::Resnet20, InputShape([3, 32, 32]), 10, &device);
    let (layers, units) = (kernels(&net), net.units());
    assert_eq!(layers[2].name, "blocks.0.conv2.weight");
    assert_eq!(layers[8].name, "blocks.3.conv2.weight");
    assert_eq!(layers[9].name, "blocks.3.shortcut.conv.weight");
    let relu = |name: &str| units.iter().position(|u| u.name == name).unwrap();
    let (b0, b3) = (relu("blocks.0.relu2"), relu("blocks.3.relu2"));
    let mut dead: Vec<Vec<u64>> = units.iter().map(|u| vec![0; u.channels]).collect();
    dead[b0][3] = 1024;
    dead[b0][5] = 512;
    dead[b3][0] = 256;
    let zeros = ZeroCounts {
        samples: 1,
        dead,
        ..Default::default()
    };

    let rates = row_dead_rate(&units, &layers, &zeros);
    assert_eq!(rates[2][3], Some(1.0));
    assert_eq!(rates[2][5], Some(0.5));
    assert_eq!(rates[2][0], Some(0.0));
    assert!(rates[layers.len() - 1].iter().all(Option::is_none));

    let theta_star: Vec<Vec<f32>> = layers.iter().map(|l| vec![-1.0; l.len()]).collect();
    let theta0: Vec<Vec<f32>> = layers.iter().map(|l| vec![-1.0; l.len()]).collect();
    let masks = Masks::dense(&layers);
    let fan_in = layers[2].fan_in();
    assert_eq!(fan_in, 144);
    // rate 1: row 3 of blocks.0.conv2, then (by layer order) row 0 of blocks.3.conv2 (288 weights)
    // and of its projection (16); rate 0.5: row 5 of blocks.0.conv2
    let k = 2 * fan_in + 288 + 16;
    let chosen = select_output(&theta_star, &theta0, &rates, &masks, k, &layers);
    assert_eq!(chosen.len(), k);
    let rows = |from: usize, to: usize, layer: usize, row: usize| {
        let fan = layers[layer].fan_in();
        chosen[from..to]
            .iter()
            .all(|w| w.layer == layer && w.index / fan == row)
    };
    assert!(
        rows(0, 144, 2, 3),
        "the identity block's conv2 rows are candidates"
    );
    assert!(rows(144, 432, 8, 0) && rows(432, 448, 9, 0));
    assert!(rows(448, k, 2, 5));

    let mut pruned = masks.clone();
    for w in &chosen[..144] {
        pruned.keep[w.layer][w.index] = false;
    }
    let d = dnr(&units, &layers, &pruned, &zeros);
    assert_eq!(
        d.per_layer[b0].static_, 0.0,
        "an identity path is never static"
    );
    assert!(d.per_layer[b0].dynamic > 0.0);
    for l in [8, 9] {
        let fan = layers[l].fan_in();
        pruned.keep[l][..fan].iter_mut().for_each(|k| *k = false);
    }
    let d = dnr(&units, &layers, &pruned, &zeros);
    assert_eq!(d.per_layer[b3].static_, 256.0 / units[b3].units() as f64);
    assert_eq!(d.per_layer[b3].dynamic, 0.0);
}
