//! Criteria score every surviving prunable weight; the lowest scores are pruned.
//!
//! [`select_lowest`] is the one selection rule every criterion shares: among eligible weights,
//! take the `k` smallest by `(score, layer order in the model, row-major index)` ascending, so ties
//! are resolved identically everywhere (and on every backend, since selection runs on the host).

use crate::mask::Masks;

/// Address of one weight: layer index (model order) and row-major index in PyTorch layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WeightRef {
    pub layer: usize,
    pub index: usize,
}

/// Choose the `k` eligible weights with the lowest score, ties broken by (layer, index).
/// `score(layer, index)` returns `None` for ineligible weights (already pruned, or filtered out by
/// the criterion). Returns fewer than `k` when fewer are eligible. NaN scores sort last.
pub fn select_lowest(
    masks: &Masks,
    k: usize,
    score: impl Fn(usize, usize) -> Option<f32>,
) -> Vec<WeightRef> {
    if k == 0 {
        return Vec::new();
    }
    let mut candidates: Vec<(f32, WeightRef)> = Vec::new();
    for (layer, keep) in masks.keep.iter().enumerate() {
        for (index, &alive) in keep.iter().enumerate() {
            if alive && let Some(s) = score(layer, index) {
                candidates.push((s, WeightRef { layer, index }));
            }
        }
    }
    let order = |a: &(f32, WeightRef), b: &(f32, WeightRef)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    let k = k.min(candidates.len());
    if k < candidates.len() {
        candidates.select_nth_unstable_by(k, order);
        candidates.truncate(k);
    }
    candidates.sort_unstable_by(order);
    candidates.into_iter().map(|(_, w)| w).collect()
}

/// Global Magnitude: prune the `k` surviving weights with the smallest |θ*| over all layers together.
pub fn global_magnitude(theta: &[Vec<f32>], masks: &Masks, k: usize) -> Vec<WeightRef> {
    select_lowest(masks, k, |l, i| Some(theta[l][i].abs()))
}

/// Mark the selected weights as pruned.
pub fn apply(masks: &mut Masks, selected: &[WeightRef]) {
    for w in selected {
        masks.keep[w.layer][w.index] = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::Layer;

    fn masks(lens: &[usize]) -> Masks {
        let layers: Vec<Layer> = lens.iter().map(|&n| Layer::new("l", &[1, n])).collect();
        Masks::dense(&layers)
    }

    #[test]
    fn magnitude_is_global_and_ignores_sign() {
        let theta = vec![vec![0.5, -0.1, 0.9], vec![-0.2, 0.05]];
        let got = global_magnitude(&theta, &masks(&[3, 2]), 3);
        let want = [(1, 1), (0, 1), (1, 0)].map(|(layer, index)| WeightRef { layer, index });
        assert_eq!(got, want);
    }

    #[test]
    fn ties_break_by_layer_then_index() {
        let theta = vec![vec![0.3, 0.1, 0.1], vec![0.1, -0.1]];
        let got = global_magnitude(&theta, &masks(&[3, 2]), 3);
        let want = [(0, 1), (0, 2), (1, 0)].map(|(layer, index)| WeightRef { layer, index });
        assert_eq!(got, want);
    }

    #[test]
    fn pruned_weights_are_never_selected_again() {
        let theta = vec![vec![0.0, 0.2, 0.3]];
        let mut m = masks(&[3]);
        m.keep[0][0] = false;
        let got = global_magnitude(&theta, &m, 1);
        assert_eq!(got, vec![WeightRef { layer: 0, index: 1 }]);
        assert_eq!(global_magnitude(&theta, &m, 10).len(), 2);
        assert!(global_magnitude(&theta, &m, 0).is_empty());
    }
}
