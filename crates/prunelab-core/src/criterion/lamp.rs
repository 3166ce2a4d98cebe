//! Layer-Adaptive Magnitude-based Pruning (LAMP; Lee et al., "Layer-adaptive sparsity for the
//! magnitude-based pruning", ICLR 2021).

use super::{Score, WeightRef, select_lowest};
use crate::mask::Masks;

/// LAMP (Lee et al. 2021, eq. 2): within each layer, sort the surviving weights ascending by |w|
/// (ties by row-major index) and give the weight at sorted position `u` the score
///
/// ```text
/// score(u) = w_u² / Σ_{v ≥ u} w_v²      (sums over the surviving weights of that layer)
/// ```
///
/// then prune the `k` lowest scores over all layers together, sorted by (score, layer, index).
/// The largest surviving weight of every layer scores exactly 1 (unless it is 0), so a layer keeps
/// its last weight until every other layer is down to weights scoring 1.
///
/// Edge cases, none of which produce NaN from finite weights:
/// - the denominator is 0 only when `w_u` and every larger surviving weight are 0; the score is
///   then defined as 0 (a zero weight is as unimportant as it gets);
/// - equal |w| get different scores: the one earlier in sorted order (lower index) has the larger
///   denominator, hence the smaller score, and is pruned first;
/// - a NaN weight gets a NaN score, which sorts last, and is left out of every denominator so it
///   does not poison the rest of its layer. An infinite weight scores NaN (∞/∞) and makes the
///   finite weights below it score 0.
///
/// Sums are accumulated in f64 from the largest weight down.
pub fn lamp(theta: &[Vec<f32>], masks: &Masks, k: usize) -> Vec<WeightRef> {
    let scores: Vec<Vec<f32>> = masks
        .keep
        .iter()
        .zip(theta)
        .map(|(keep, w)| layer_scores(w, keep))
        .collect();
    select_lowest(masks, k, |l, i| Some(scores[l][i]))
}

/// LAMP scores of one layer, indexed like the layer (pruned positions score 0 and are never read).
fn layer_scores(values: &[f32], keep: &[bool]) -> Vec<f32> {
    let mut order: Vec<(Score, usize)> = keep
        .iter()
        .zip(values)
        .enumerate()
        .filter(|(_, (alive, _))| **alive)
        .map(|(index, (_, w))| (Score(w.abs()), index))
        .collect();
    order.sort_unstable();
    let mut scores = vec![0.0; values.len()];
    let mut tail = 0.0f64;
    for &(_, index) in order.iter().rev() {
        let w = f64::from(values[index]);
        if w.is_nan() {
            scores[index] = f32::NAN;
            continue;
        }
        let square = w * w;
        tail += square;
        scores[index] = if tail > 0.0 {
            (square / tail) as f32
        } else {
            0.0
        };
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criterion::{dense, refs};

    /// Layer 0: w = [2, -1, 1, 4] → sorted |w|: idx1 (1), idx2 (1), idx0 (2), idx3 (4);
    ///   squares 1, 1, 4, 16; tails 22, 21, 20, 16 → scores 1/22, 1/21, 4/20, 16/16.
    /// Layer 1: w = [0.5, -3] → squares 0.25, 9; tails 9.25, 9 → scores 0.25/9.25 ≈ 0.027, 1.
    /// Layer 2: fully pruned.
    /// Global order: (1,0) .027, (0,1) .045, (0,2) .048, (0,0) .2, then the 1s: (0,3), (1,1).
    fn example() -> (Vec<Vec<f32>>, Masks) {
        let theta = vec![vec![2.0, -1.0, 1.0, 4.0], vec![0.5, -3.0], vec![0.0, 0.0]];
        let mut m = dense(&[4, 2, 2]);
        m.keep[2] = vec![false, false];
        (theta, m)
    }

    #[test]
    fn hand_computed_scores() {
        let (theta, m) = example();
        let s = layer_scores(&theta[0], &m.keep[0]);
        let want = [4.0 / 20.0, 1.0 / 22.0, 1.0 / 21.0, 1.0];
        for (got, want) in s.iter().zip(want) {
            assert!((f64::from(*got) - want).abs() < 1e-7, "{s:?}");
        }
        assert_eq!(layer_scores(&theta[1], &m.keep[1])[1], 1.0);
    }

    #[test]
    fn global_selection_with_ties_and_a_pruned_layer() {
        let (theta, m) = example();
        assert_eq!(lamp(&theta, &m, 3), refs(&[(1, 0), (0, 1), (0, 2)]));
        // the two scores of exactly 1 tie; layer order decides
        assert_eq!(
            lamp(&theta, &m, 5),
            refs(&[(1, 0), (0, 1), (0, 2), (0, 0), (0, 3)])
        );
        // k beyond the 6 survivors: all of them, never the pruned layer
        assert_eq!(
            lamp(&theta, &m, 100),
            refs(&[(1, 0), (0, 1), (0, 2), (0, 0), (0, 3), (1, 1)])
        );
        assert!(lamp(&theta, &m, 0).is_empty());
    }

    #[test]
    fn a_pruned_weight_leaves_the_denominators() {
        let (theta, mut m) = example();
        // without w = 4 the tails of layer 0 become 6, 5, 4: idx0 scores 4/4 = 1
        m.keep[0][3] = false;
        let s = layer_scores(&theta[0], &m.keep[0]);
        assert_eq!(s[0], 1.0);
        assert!((s[1] - 1.0 / 6.0).abs() < 1e-7 && (s[2] - 0.2).abs() < 1e-7);
    }

    #[test]
    fn zero_sums_score_zero_and_nan_sorts_last() {
        let theta = vec![vec![0.0, 0.0, 0.0], vec![0.0, 2.0, f32::NAN]];
        let s0 = layer_scores(&theta[0], &[true; 3]);
        assert_eq!(s0, vec![0.0; 3]);
        let s1 = layer_scores(&theta[1], &[true; 3]);
        assert_eq!(&s1[..2], &[0.0, 1.0]);
        assert!(s1[2].is_nan());
        let got = lamp(&theta, &dense(&[3, 3]), 6);
        assert_eq!(got, refs(&[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]));
    }
}
