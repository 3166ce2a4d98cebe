//! The pruning metric of Activate-while-Pruning (AP paper, Algorithm 1).
//!
//! Weights of often-dead ReLU neurons receive no gradient, so they move little from
//! initialisation: |θ* − θ0| locates dead neurons. Their inputs are non-negative (post-ReLU), so
//! pruning their *negative* weights raises the pre-activation and can reactivate them. Hence:
//! among surviving weights with θ* < 0, prune the ones with the smallest |θ* − θ0|.

use crate::criterion::{WeightRef, select_lowest};
use crate::mask::Masks;

/// Algorithm 1: the `k` surviving negative weights (θ* < 0) with the smallest |θ* − θ0|,
/// ties by (score, layer, row-major index). `theta0` is the rewind point (initialisation).
/// Returns fewer than `k` when fewer surviving weights are negative.
pub fn select(theta_star: &[Vec<f32>], theta0: &[Vec<f32>], masks: &Masks, k: usize) -> Vec<WeightRef> {
    select_lowest(masks, k, |l, i| {
        let w = theta_star[l][i];
        (w < 0.0).then(|| (w - theta0[l][i]).abs())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::Layer;

    fn dense(lens: &[usize]) -> Masks {
        let layers: Vec<Layer> = lens.iter().map(|&n| Layer::new("l", &[1, n])).collect();
        Masks::dense(&layers)
    }

    #[test]
    fn only_negative_weights_by_smallest_movement() {
        let star = vec![vec![-0.5, 0.1, -0.2, -0.9]];
        let init = vec![vec![-0.45, 0.1, 0.3, -0.1]];
        // movements of the negative ones: 0.05, 0.5, 0.8 → indices 0, 2, 3
        let got = select(&star, &init, &dense(&[4]), 2);
        assert_eq!(got, vec![WeightRef { layer: 0, index: 0 }, WeightRef { layer: 0, index: 2 }]);
    }

    #[test]
    fn all_positive_layer_contributes_nothing() {
        let star = vec![vec![0.5, 0.1], vec![-0.3]];
        let init = vec![vec![0.5, 0.1], vec![0.0]];
        let got = select(&star, &init, &dense(&[2, 1]), 2);
        assert_eq!(got, vec![WeightRef { layer: 1, index: 0 }]);
    }

    #[test]
    fn ties_break_by_layer_then_index() {
        // every movement is exactly 0.25 (powers of two keep f32 exact)
        let star = vec![vec![-0.5, -0.75], vec![-0.25]];
        let init = vec![vec![-0.25, -0.5], vec![0.0]];
        let got = select(&star, &init, &dense(&[2, 1]), 3);
        let want = [(0, 0), (0, 1), (1, 0)].map(|(layer, index)| WeightRef { layer, index });
        assert_eq!(got, want);
    }

    #[test]
    fn zero_is_not_negative() {
        let star = vec![vec![0.0, -0.0]];
        assert!(select(&star, &star, &dense(&[2]), 2).is_empty());
    }
}
