//! Criteria whose scores the engine computes on the device: Global Taylor (Molchanov et al. 2019,
//! first-order Taylor |θ · ∂L/∂θ| summed over a pass of the data) and SNIP (Lee et al. 2019,
//! connection sensitivity |θ · g| on a mini-batch).

use super::{WeightRef, select_lowest};
use crate::mask::Masks;

/// The `k` surviving weights with the lowest precomputed score (`scores` indexed like
/// `masks.keep`), over all layers together, sorted by (score, layer, index). Scores are taken as
/// they are (take |·| beforehand where the criterion says so); `-0.0` ties with `0.0` and NaN
/// scores sort last.
pub fn by_score(scores: &[Vec<f32>], masks: &Masks, k: usize) -> Vec<WeightRef> {
    select_lowest(masks, k, |l, i| Some(scores[l][i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criterion::refs;
    use crate::mask::Layer;

    #[test]
    fn lowest_alive_scores_with_ties_and_nan() {
        let layers = [
            Layer::new("a", &[1, 4]),
            Layer::new("b", &[1, 3]),
            Layer::new("c", &[1, 2]),
        ];
        let mut masks = Masks::dense(&layers);
        masks.keep[0][0] = false; // score 0 but pruned: never selected
        masks.keep[2] = vec![false, false];
        let scores = vec![
            vec![0.0, 0.5, f32::NAN, 0.25],
            vec![0.25, -0.0, 2.0],
            vec![0.0, 0.0],
        ];
        assert_eq!(
            by_score(&scores, &masks, 3),
            refs(&[(1, 1), (0, 3), (1, 0)])
        );
        let all = refs(&[(1, 1), (0, 3), (1, 0), (0, 1), (1, 2), (0, 2)]);
        assert_eq!(by_score(&scores, &masks, 99), all);
        assert!(by_score(&scores, &masks, 0).is_empty());
    }
}
