//! [`select_lowest`](super::select_lowest) for `f32` scores in linear time: the same `k` weights,
//! in the same `(score, layer, index)` order, as sorting every candidate would give.
//!
//! Each score maps to a `u32` whose unsigned order is [`Score`]'s total order. Two 16-bit
//! histograms find the `k`-th smallest key (radix select); one scan in (layer, index) order then
//! takes every weight below it and the first of those equal to it — exactly the ties the
//! `(layer, index)` tie-break keeps. Only the selected weights are sorted, by key, with a stable
//! radix sort that keeps their (layer, index) order within equal keys.

use super::{Score, WeightRef};
use crate::mask::Masks;

/// Key of weights that are pruned already or not eligible: above every score's key (the largest,
/// NaN's, is `0xFFC0_0000`).
const NONE: u32 = u32::MAX;

/// Order-preserving image of a score: negative floats reversed below the positive ones.
fn key(score: f32) -> u32 {
    let bits = Score(score).canonical().to_bits();
    if bits & 0x8000_0000 != 0 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

pub(super) fn select_lowest(
    masks: &Masks,
    k: usize,
    score: impl Fn(usize, usize) -> Option<f32>,
) -> Vec<WeightRef> {
    let offsets: Vec<usize> = masks
        .keep
        .iter()
        .scan(0, |at, keep| Some(std::mem::replace(at, *at + keep.len())))
        .collect();
    let mut keys = Vec::with_capacity(masks.total());
    for (layer, keep) in masks.keep.iter().enumerate() {
        keys.extend(keep.iter().enumerate().map(|(index, &alive)| {
            if alive {
                score(layer, index).map_or(NONE, key)
            } else {
                NONE
            }
        }));
    }
    let Some((threshold, ties)) = kth(&keys, k) else {
        return Vec::new();
    };
    // Branch-free: every key is written, the length only grows for the chosen ones.
    let mut chosen = vec![0u64; k.min(keys.len()) + 1];
    let (mut len, mut ties_left) = (0, ties);
    for (at, &key) in keys.iter().enumerate() {
        let tie = key == threshold && key != NONE && ties_left > 0;
        chosen[len] = u64::from(key) << 32 | at as u64;
        ties_left -= usize::from(tie);
        len += usize::from(key < threshold || tie);
    }
    chosen.truncate(len);
    sort_by_key(&mut chosen);
    // The layer of a position: the layer at its 4096-block's start, then onwards (rarely).
    let mut block_layer = Vec::with_capacity(keys.len() / 4096 + 1);
    for block in 0..keys.len().div_ceil(4096) {
        block_layer.push(offsets.partition_point(|&o| o <= block * 4096) - 1);
    }
    chosen
        .into_iter()
        .map(|item| {
            let at = (item & 0xFFFF_FFFF) as usize;
            let mut layer = block_layer[at / 4096];
            while offsets.get(layer + 1).is_some_and(|&o| o <= at) {
                layer += 1;
            }
            WeightRef {
                layer,
                index: at - offsets[layer],
            }
        })
        .collect()
}

/// The key of the `k`-th smallest eligible key, and how many weights with exactly that key are
/// among the `k` smallest; all eligible weights when fewer than `k` are. `None` when `k` is 0 or
/// nothing is eligible.
fn kth(keys: &[u32], k: usize) -> Option<(u32, usize)> {
    // NONE alone fills the last bucket (the largest score key, NaN's, is 0xFFC0_0000): counting
    // it there keeps the pass free of branches.
    let mut high = vec![0usize; 1 << 16];
    for &key in keys {
        high[(key >> 16) as usize] += 1;
    }
    high[0xFFFF] = 0;
    let eligible: usize = high.iter().sum();
    if k == 0 || eligible == 0 {
        return None;
    }
    if k >= eligible {
        return Some((NONE, 0));
    }
    let (bucket, below) = crossing(&high, k);
    let mut low = vec![0usize; 1 << 16];
    for &key in keys
        .iter()
        .filter(|&&key| key >> 16 == bucket as u32 && key != NONE)
    {
        low[(key & 0xFFFF) as usize] += 1;
    }
    let (digit, below_digit) = crossing(&low, k - below);
    Some((
        (bucket as u32) << 16 | digit as u32,
        k - below - below_digit,
    ))
}

/// The first bucket at which the running count reaches `k`, and the count before it.
fn crossing(counts: &[usize], k: usize) -> (usize, usize) {
    let mut below = 0;
    for (bucket, &n) in counts.iter().enumerate() {
        if below + n >= k {
            return (bucket, below);
        }
        below += n;
    }
    unreachable!("k is at most the total count")
}

/// Stable LSD radix sort of `key << 32 | position` items by their key (four 8-bit passes: few
/// enough buckets that the scattered writes stay in cache).
fn sort_by_key(items: &mut Vec<u64>) {
    let mut scratch = vec![0u64; items.len()];
    for shift in [32, 40, 48, 56] {
        let mut starts = [0usize; 257];
        for &item in items.iter() {
            starts[((item >> shift) & 0xFF) as usize + 1] += 1;
        }
        for d in 1..starts.len() {
            starts[d] += starts[d - 1];
        }
        for &item in items.iter() {
            let d = ((item >> shift) & 0xFF) as usize;
            scratch[starts[d]] = item;
            starts[d] += 1;
        }
        std::mem::swap(items, &mut scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criterion::select_lowest_by;
    use crate::rng::Rng;

    /// Against the sorting rule itself, on scores full of ties, zeros of both signs, infinities
    /// and NaNs, with pruned and ineligible weights, for every kind of `k`.
    #[test]
    fn same_weights_in_the_same_order_as_sorting() {
        let mut rng = Rng::new(3, 4);
        let sizes = [70_000, 1, 0, 5_000, 999];
        let values = [
            0.0,
            -0.0,
            1.5,
            -1.5,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            -f32::NAN,
            1e-30,
        ];
        let scores: Vec<Vec<f32>> = sizes
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|_| {
                        if rng.uniform() < 0.3 {
                            values[rng.below(values.len())]
                        } else {
                            (rng.normal() * 4.0).round() as f32 / 4.0 + rng.below(3) as f32 * 1e-3
                        }
                    })
                    .collect()
            })
            .collect();
        let mut masks = Masks {
            keep: sizes
                .iter()
                .map(|&n| (0..n).map(|_| rng.uniform() < 0.8).collect())
                .collect(),
        };
        masks.keep[1][0] = true;
        let eligible = |l: usize, i: usize| (i % 7 != 3).then(|| scores[l][i]);
        let total = masks.alive();
        for k in [
            0,
            1,
            2,
            17,
            1000,
            30_000,
            total / 2,
            total - 1,
            total,
            total + 5,
        ] {
            let want = select_lowest_by(&masks, k, |l, i| eligible(l, i).map(Score));
            assert_eq!(select_lowest(&masks, k, eligible), want, "k = {k}");
        }
    }

    #[test]
    fn keys_follow_the_score_order() {
        let ordered = [
            f32::NEG_INFINITY,
            -2.0,
            -1e-40,
            0.0,
            1e-40,
            3.0,
            f32::INFINITY,
            f32::NAN,
        ];
        for w in ordered.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(key(-0.0), key(0.0));
        assert_eq!(key(-f32::NAN), key(f32::NAN));
        assert!(key(f32::NAN) < NONE);
    }
}
