//! Criteria score every surviving prunable weight; the lowest scores are pruned.
//!
//! [`select_lowest`] is the one selection rule every criterion shares: among eligible weights,
//! take the `k` smallest by `(score, layer order in the model, row-major index)` ascending, so ties
//! are resolved identically everywhere (and on every backend, since selection runs on the host).
//! [`select_lowest_by`] is the same rule for any totally ordered key (e.g. two scores, compared
//! lexicographically), and [`Score`] is the total order on `f32` scores both use.
//!
//! Criteria (one file each):
//! - [`global_magnitude`] / [`layerwise_magnitude`]: |θ| over all layers / within each layer (IMP).
//! - [`lamp`]: layer-adaptive magnitude (Lee et al. 2021).
//! - [`lap`]: lookahead pruning (Park et al. 2020).
//! - [`by_score`]: precomputed scores (Global Taylor, SNIP).
//! - [`random`]: uniformly random survivors.
//! - [`channels`]: whole filters/neurons by L1/L2 norm (Li et al. 2017).
//!
//! Every function takes the prunable kernels in model order, in PyTorch layout, with the same
//! lengths as `masks.keep`; already-pruned weights are never selected again.

use std::cmp::Ordering;

use crate::mask::{Layer, Masks};

mod channels;
mod lamp;
mod lap;
mod magnitude;
mod radix;
mod random;
mod score;

pub use channels::{Norm, channels};
pub use lamp::lamp;
pub use lap::{lap, lap_layerwise};
pub use magnitude::{global_magnitude, layerwise, layerwise_magnitude};
pub use random::random;
pub use score::by_score;

/// Address of one weight: layer index (model order) and row-major index in PyTorch layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WeightRef {
    pub layer: usize,
    pub index: usize,
}

/// An `f32` score under a total order, for selection keys.
///
/// Finite values and ±∞ compare numerically, with `-0.0 == 0.0`; every NaN (whatever its sign or
/// payload) is equal to every other NaN and greater than +∞, so NaN scores are selected last and
/// never disturb the order of the others.
#[derive(Clone, Copy, Debug)]
pub struct Score(pub f32);

impl Score {
    /// One representative per equivalence class: a single positive NaN, and `+0.0` for both zeros.
    fn canonical(self) -> f32 {
        if self.0.is_nan() {
            f32::NAN
        } else {
            self.0 + 0.0
        }
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.canonical().total_cmp(&other.canonical())
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Score {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Score {}

/// Choose the `k` eligible weights with the lowest `key`, ties broken by (layer, index).
/// `key(layer, index)` returns `None` for ineligible weights (filtered out by the criterion);
/// already-pruned weights are never asked. Returns fewer than `k` when fewer are eligible, sorted
/// ascending by `(key, layer, index)`.
pub fn select_lowest_by<K: Ord>(
    masks: &Masks,
    k: usize,
    key: impl Fn(usize, usize) -> Option<K>,
) -> Vec<WeightRef> {
    if k == 0 {
        return Vec::new();
    }
    let mut candidates: Vec<(K, WeightRef)> = Vec::new();
    for (layer, keep) in masks.keep.iter().enumerate() {
        for (index, &alive) in keep.iter().enumerate() {
            if alive && let Some(s) = key(layer, index) {
                candidates.push((s, WeightRef { layer, index }));
            }
        }
    }
    lowest(candidates, k)
}

/// The `k` smallest `(key, tag)` pairs of `candidates`, ascending; returns their tags. The tag
/// (a weight address, a row index) breaks ties, so the result does not depend on input order.
fn lowest<K: Ord, T: Ord>(mut candidates: Vec<(K, T)>, k: usize) -> Vec<T> {
    let order = |a: &(K, T), b: &(K, T)| a.0.cmp(&b.0).then(a.1.cmp(&b.1));
    let k = k.min(candidates.len());
    if k == 0 {
        return Vec::new();
    }
    if k < candidates.len() {
        candidates.select_nth_unstable_by(k, order);
        candidates.truncate(k);
    }
    candidates.sort_unstable_by(order);
    candidates.into_iter().map(|(_, tag)| tag).collect()
}

/// Choose the `k` eligible weights with the lowest score, ties broken by (layer, index).
/// `score(layer, index)` returns `None` for ineligible weights (already pruned, or filtered out by
/// the criterion). Returns fewer than `k` when fewer are eligible. Scores are compared as
/// [`Score`]s: `-0.0 == 0.0`, and NaN scores sort last. Linear time (radix select, then a radix
/// sort of the selected only): the same result as [`select_lowest_by`] with [`Score`] keys.
pub fn select_lowest(
    masks: &Masks,
    k: usize,
    score: impl Fn(usize, usize) -> Option<f32>,
) -> Vec<WeightRef> {
    radix::select_lowest(masks, k, score)
}

/// Mark the selected weights as pruned.
pub fn apply(masks: &mut Masks, selected: &[WeightRef]) {
    for w in selected {
        masks.keep[w.layer][w.index] = false;
    }
}

/// `⌊n · rate / 100⌋` with `rate` in percent, as in the cycle quotas; negative or NaN rates give 0
/// and the result never exceeds `n`.
fn portion(n: usize, rate: f64) -> usize {
    ((n as f64 * rate / 100.0).floor() as usize).min(n)
}

/// Panics unless `layers` and `masks` describe the same kernels (count and sizes): criteria that
/// need shapes would otherwise read the wrong rows.
fn check_shapes(layers: &[Layer], masks: &Masks) {
    assert!(
        layers.len() == masks.keep.len()
            && layers
                .iter()
                .zip(&masks.keep)
                .all(|(l, k)| l.len() == k.len()),
        "layers and masks describe different kernels"
    );
}

/// Test shorthand: `(layer, index)` pairs as weight references.
#[cfg(test)]
pub(crate) fn refs(pairs: &[(usize, usize)]) -> Vec<WeightRef> {
    pairs
        .iter()
        .map(|&(layer, index)| WeightRef { layer, index })
        .collect()
}

/// Test shorthand: dense masks over `[1, n]` layers of the given lengths.
#[cfg(test)]
pub(crate) fn dense(lens: &[usize]) -> Masks {
    let layers: Vec<Layer> = lens.iter().map(|&n| Layer::new("l", &[1, n])).collect();
    Masks::dense(&layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_sorts_last_whatever_its_sign_and_zeros_tie() {
        let neg_nan = -f32::NAN;
        assert!(neg_nan.is_sign_negative());
        let scores = [
            vec![neg_nan, 0.0, f32::INFINITY],
            vec![-0.0, f32::NAN, -1.0],
        ];
        let got = select_lowest(&dense(&[3, 3]), 6, |l, i| Some(scores[l][i]));
        // -1, then the two zeros by (layer, index), then +∞, then both NaNs by (layer, index)
        assert_eq!(got, refs(&[(1, 2), (0, 1), (1, 0), (0, 2), (0, 0), (1, 1)]));
    }

    #[test]
    fn two_keys_compare_lexicographically() {
        let first = [vec![1.0, 0.0, 1.0], vec![0.0]];
        let second = [vec![0.5, 0.5, 0.25], vec![0.75]];
        let got = select_lowest_by(&dense(&[3, 1]), 3, |l, i| {
            Some((Score(first[l][i]), Score(second[l][i])))
        });
        assert_eq!(got, refs(&[(0, 1), (1, 0), (0, 2)]));
    }

    #[test]
    fn portion_floors_and_clamps() {
        assert_eq!(portion(999, 20.0), 199);
        assert_eq!(portion(10, 0.0), 0);
        assert_eq!(portion(10, 150.0), 10);
        assert_eq!(portion(10, -5.0), 0);
        assert_eq!(portion(10, f64::NAN), 0);
    }
}
