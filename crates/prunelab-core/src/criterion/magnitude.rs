//! Magnitude pruning (Han et al. 2015; IMP, Frankle & Carbin 2019): small |θ*| matters least.

use super::{Score, WeightRef, lowest, portion, select_lowest};
use crate::mask::Masks;

/// Global Magnitude: prune the `k` surviving weights with the smallest |θ*| over all layers together.
/// This is also the global variant of IMP. Sorted by (|θ*|, layer, index); NaN weights sort last.
pub fn global_magnitude(theta: &[Vec<f32>], masks: &Masks, k: usize) -> Vec<WeightRef> {
    select_lowest(masks, k, |l, i| Some(theta[l][i].abs()))
}

/// IMP's layer-wise magnitude pruning (Frankle & Carbin 2019, "prune p % of the weights of each
/// layer"): every layer `l` prunes `⌊alive_l · rate / 100⌋` of its own surviving weights, those with
/// the smallest |θ*| (ties by index; NaN weights last). `rate` is in percent.
///
/// Returned in (layer, index) order. A fully pruned layer contributes nothing; `rate ≥ 100` prunes
/// everything, `rate ≤ 0` (or NaN) nothing.
pub fn layerwise_magnitude(theta: &[Vec<f32>], masks: &Masks, rate: f64) -> Vec<WeightRef> {
    layerwise(masks, rate, |l, i| theta[l][i].abs())
}

/// Layer-wise selection by any score: every layer `l` prunes `⌊alive_l · rate / 100⌋` of its
/// surviving weights, those with the lowest `score(l, index)` (ties by index; NaN last), returned
/// in (layer, index) order. `rate` is in percent.
pub fn layerwise(masks: &Masks, rate: f64, score: impl Fn(usize, usize) -> f32) -> Vec<WeightRef> {
    let mut selected = Vec::new();
    for (layer, keep) in masks.keep.iter().enumerate() {
        let alive: Vec<(Score, usize)> = keep
            .iter()
            .enumerate()
            .filter(|(_, alive)| **alive)
            .map(|(index, _)| (Score(score(layer, index)), index))
            .collect();
        let k = portion(alive.len(), rate);
        selected.extend(
            lowest(alive, k)
                .into_iter()
                .map(|index| WeightRef { layer, index }),
        );
    }
    selected.sort_unstable();
    selected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criterion::{dense, refs};

    #[test]
    fn magnitude_is_global_and_ignores_sign() {
        let theta = vec![vec![0.5, -0.1, 0.9], vec![-0.2, 0.05]];
        let got = global_magnitude(&theta, &dense(&[3, 2]), 3);
        assert_eq!(got, refs(&[(1, 1), (0, 1), (1, 0)]));
    }

    #[test]
    fn ties_break_by_layer_then_index() {
        let theta = vec![vec![0.3, 0.1, 0.1], vec![0.1, -0.1]];
        let got = global_magnitude(&theta, &dense(&[3, 2]), 3);
        assert_eq!(got, refs(&[(0, 1), (0, 2), (1, 0)]));
    }

    #[test]
    fn pruned_weights_are_never_selected_again() {
        let theta = vec![vec![0.0, 0.2, 0.3]];
        let mut m = dense(&[3]);
        m.keep[0][0] = false;
        let got = global_magnitude(&theta, &m, 1);
        assert_eq!(got, vec![WeightRef { layer: 0, index: 1 }]);
        assert_eq!(global_magnitude(&theta, &m, 10).len(), 2);
        assert!(global_magnitude(&theta, &m, 0).is_empty());
    }

    /// Layer 0: 4 alive, |θ| = 0.5, 0.25, 0.25, 1 → 50 % prunes 2: the tied 0.25s (indices 1, 2).
    /// Layer 1: index 1 pruned, 3 alive (|θ| 0.75, 0.5, 0.125) → ⌊1.5⌋ = 1: index 3.
    /// Layer 2: fully pruned → nothing. A global 5 would instead take 0.125 and the 0.25s first.
    #[test]
    fn each_layer_prunes_its_own_share() {
        let theta = vec![
            vec![0.5, -0.25, 0.25, 1.0],
            vec![-0.75, 0.0, 0.5, 0.125],
            vec![0.0, 0.0],
        ];
        let mut m = dense(&[4, 4, 2]);
        m.keep[1][1] = false;
        m.keep[2] = vec![false, false];
        assert_eq!(
            layerwise_magnitude(&theta, &m, 50.0),
            refs(&[(0, 1), (0, 2), (1, 3)])
        );
        // 74 %: ⌊2.96⌋ = 2 in layer 0, ⌊2.22⌋ = 2 in layer 1 (0.125, 0.5)
        assert_eq!(
            layerwise_magnitude(&theta, &m, 74.0),
            refs(&[(0, 1), (0, 2), (1, 2), (1, 3)])
        );
        assert!(layerwise_magnitude(&theta, &m, 0.0).is_empty());
        // 100 % (and beyond): every alive weight, in (layer, index) order
        let all = refs(&[(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 2), (1, 3)]);
        assert_eq!(layerwise_magnitude(&theta, &m, 100.0), all);
        assert_eq!(layerwise_magnitude(&theta, &m, 250.0), all);
    }
}
