//! Activation-density driven pruning in training (Foldy-Porto, Venkatesha & Panda, Algorithm 1).
//!
//! - [`activation_energy`]: AE = #nonzero / #total activations per counted layer and for the whole
//!   net (eq. 1), from the per-channel zero counts the training pass gathers anyway for DNR.
//! - [`criterion`]: when to resize (ρ, the AE saturation point) and when to stop (δ, the AE
//!   curve of the current net turning upward).
//! - [`resize`]: the width rule, `width[L] ← max(1, round(AE[L] × width[L]))` (eq. 2,
//!   Algorithm 1 lines 21–23).
//! - [`complexity`]: parameter and OPS reduction vs net0 (eq. 3), training complexity (eq. 4) and
//!   training memory complexity (§IV.D).
//!
//! A resizable network has one counted ReLU layer per width it takes, in the same order (see
//! `prunelab_models::Network::widths`); the classifier is never resized. In residual networks
//! every conv gets its own width, and a block whose input and output widths differ gets a
//! 1×1 conv + BN projection shortcut (option B) — so conv2 of a block and the block's input need
//! not share a width, exactly as the paper's Table I configurations list independent widths for
//! all 17 convs of ResNet-18. Identity shortcuts stay where the widths happen to match.

pub mod complexity;
pub mod criterion;
pub mod inherit;

use crate::dnr::{UnitLayer, ZeroCounts};
use crate::state::Model;

/// Models whose layer widths `method = "density"` can resize.
pub const RESIZABLE: &[Model] = &[
    Model::Lenet300,
    Model::Cnn,
    Model::Resnet20,
    Model::Resnet56,
    Model::Vgg19,
    Model::Resnet18,
];

/// Activation energy of one epoch: per counted layer and for the whole net.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Energy {
    /// AE of each counted layer (eq. 1 over that layer's units and samples).
    pub layers: Vec<f64>,
    /// Eq. 1 over every counted unit of the net (the paper's "total AE" of Fig. 1, whose values
    /// of 0.3–0.6 show it is normalised: nonzero / total over all layers, not a sum).
    pub total: f64,
}

/// Eq. 1 from zero counts: AE of a layer = 1 − dead / (samples × units) (= 1 − its DNR). Layers
/// with nothing observed have AE 1 (nothing was seen to be dead).
pub fn activation_energy(units: &[UnitLayer], counts: &ZeroCounts) -> Energy {
    let samples = counts.samples as f64;
    let (mut dead_all, mut seen_all) = (0.0, 0.0);
    let layers = units
        .iter()
        .zip(&counts.dead)
        .map(|(unit, dead)| {
            let dead = dead.iter().sum::<u64>() as f64;
            let seen = samples * unit.units() as f64;
            dead_all += dead;
            seen_all += seen;
            if seen > 0.0 {
                (1.0 - dead / seen).clamp(0.0, 1.0)
            } else {
                1.0
            }
        })
        .collect();
    let total = if seen_all > 0.0 {
        (1.0 - dead_all / seen_all).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Energy { layers, total }
}

/// The width rule of Algorithm 1 (lines 21–23, eq. 2): each layer of net[i+1] gets
/// `max(1, round(AE[L] × width[L]))` channels, `width` being net[i]'s (rounding half away from
/// zero). AE values outside [0, 1] are clamped; `ae` and `widths` have one entry per layer.
pub fn resize(widths: &[usize], ae: &[f64]) -> Vec<usize> {
    widths
        .iter()
        .zip(ae)
        .map(|(&w, &a)| ((a.clamp(0.0, 1.0) * w as f64).round() as usize).max(1))
        .collect()
}

/// The net a run ends with (Algorithm 1's net_final), given whether each trained net's AE curve
/// met δ (`rising`): a net whose curve rises has no redundancy left and has lost accuracy, so the
/// result is the last net before it — as the paper's Table I highlights net1 where net2 turns
/// upward; otherwise the last net trained (the `density_nets` cap, or widths that stopped
/// changing). `None` without nets.
pub fn final_net(rising: &[bool]) -> Option<usize> {
    let last = rising.len().checked_sub(1)?;
    Some(if rising[last] {
        last.saturating_sub(1)
    } else {
        last
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_net_is_the_last_before_the_curve_rises() {
        assert_eq!(final_net(&[]), None);
        assert_eq!(final_net(&[false, false, false]), Some(2));
        assert_eq!(final_net(&[false, false, true]), Some(1));
        assert_eq!(
            final_net(&[true]),
            Some(0),
            "net0 rising: nothing to prune, net0 stays"
        );
    }

    /// The hand-computed net of `dnr::tests`: fc1 (3 units) dead on units 1, 2 for both samples,
    /// fc2 (2 units) dead on unit 1 for both samples. AE(fc1) = 1 − 4/6, AE(fc2) = 1 − 2/4,
    /// total = 1 − 6/10.
    #[test]
    fn ae_of_a_hand_computed_net() {
        let units = [
            UnitLayer::fed_by("fc1", 3, 1, vec![0]),
            UnitLayer::fed_by("fc2", 2, 1, vec![1]),
        ];
        let counts = ZeroCounts {
            samples: 2,
            dead: vec![vec![0, 2, 2], vec![0, 2]],
            ..Default::default()
        };
        let e = activation_energy(&units, &counts);
        assert!((e.layers[0] - 1.0 / 3.0).abs() < 1e-12, "{e:?}");
        assert!((e.layers[1] - 0.5).abs() < 1e-12, "{e:?}");
        assert!((e.total - 0.4).abs() < 1e-12, "{e:?}");
    }

    /// A conv layer: 2 channels × 4 positions, 3 samples: 24 units-samples, 6 zeros → AE 0.75;
    /// a second layer never observed (0 samples) is fully alive by convention.
    #[test]
    fn ae_counts_positions_and_nothing_seen() {
        let conv = UnitLayer::fed_by("conv", 2, 4, vec![0]);
        let e = activation_energy(
            std::slice::from_ref(&conv),
            &ZeroCounts {
                samples: 3,
                dead: vec![vec![5, 1]],
                ..Default::default()
            },
        );
        assert_eq!(e.layers, [0.75]);
        assert_eq!(e.total, 0.75);
        let none = activation_energy(
            &[conv],
            &ZeroCounts {
                samples: 0,
                dead: vec![vec![0, 0]],
                ..Default::default()
            },
        );
        assert_eq!((none.layers[0], none.total), (1.0, 1.0));
    }

    #[test]
    fn width_rule_rounds_and_keeps_at_least_one() {
        // 64 × 0.53 = 33.92 → 34; 64 × 0.4531 = 28.998 → 29; 128 × 0.5 = 64; 512 × 0.0001 → 0 → 1
        assert_eq!(
            resize(&[64, 64, 128, 512], &[0.53, 0.4531, 0.5, 0.0001]),
            [34, 29, 64, 1]
        );
        // halves round away from zero: 3 × 0.5 = 1.5 → 2; 5 × 0.1 = 0.5 → 1
        assert_eq!(resize(&[3, 5], &[0.5, 0.1]), [2, 1]);
        // AE = 0 still leaves one channel; AE = 1 keeps the width; junk AE is clamped
        assert_eq!(
            resize(&[10, 10, 10, 10], &[0.0, 1.0, 1.7, -0.2]),
            [1, 10, 10, 1]
        );
    }
}
