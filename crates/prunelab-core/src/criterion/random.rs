//! Random pruning: the usual sanity baseline (e.g. Frankle & Carbin 2019, random reinitialisation
//! and random pruning controls).

use super::WeightRef;
use crate::mask::Masks;
use crate::rng::Rng;

/// `k` surviving weights drawn uniformly at random without replacement (every `k`-subset of the
/// survivors equally likely, up to the generator), returned in (layer, index) order. Deterministic
/// for a given generator state: a partial Fisher–Yates shuffle of the survivors listed in
/// (layer, index) order, drawing `min(k, alive)` numbers from `rng`. Returns every survivor when
/// `k` exceeds their number.
pub fn random(masks: &Masks, k: usize, rng: &mut Rng) -> Vec<WeightRef> {
    let mut alive: Vec<WeightRef> = masks
        .keep
        .iter()
        .enumerate()
        .flat_map(|(layer, keep)| {
            keep.iter()
                .enumerate()
                .filter(|(_, a)| **a)
                .map(move |(index, _)| WeightRef { layer, index })
        })
        .collect();
    let k = k.min(alive.len());
    for i in 0..k {
        let j = i + rng.below(alive.len() - i);
        alive.swap(i, j);
    }
    alive.truncate(k);
    alive.sort_unstable();
    alive
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::Layer;

    fn example() -> Masks {
        let layers = [
            Layer::new("a", &[2, 3]),
            Layer::new("b", &[1, 2]),
            Layer::new("c", &[1, 2]),
        ];
        let mut masks = Masks::dense(&layers);
        masks.keep[0][1] = false;
        masks.keep[2] = vec![false, false];
        masks
    }

    #[test]
    fn only_alive_distinct_sorted_and_reproducible() {
        let masks = example();
        let got = random(&masks, 4, &mut Rng::new(3, 0));
        assert_eq!(got.len(), 4);
        assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "sorted and distinct: {got:?}"
        );
        assert!(got.iter().all(|w| masks.keep[w.layer][w.index]));
        assert_eq!(got, random(&masks, 4, &mut Rng::new(3, 0)));
        let other: Vec<_> = (1..20)
            .map(|s| random(&masks, 4, &mut Rng::new(3 + s, 0)))
            .collect();
        assert!(
            other.iter().any(|o| *o != got),
            "different seeds give different draws"
        );
    }

    #[test]
    fn k_bounds() {
        let masks = example();
        let mut rng = Rng::new(1, 0);
        assert!(random(&masks, 0, &mut rng).is_empty());
        let all: Vec<WeightRef> = [(0, 0), (0, 2), (0, 3), (0, 4), (0, 5), (1, 0), (1, 1)]
            .map(|(layer, index)| WeightRef { layer, index })
            .to_vec();
        assert_eq!(random(&masks, 7, &mut rng), all);
        assert_eq!(random(&masks, 100, &mut rng), all);
    }

    #[test]
    fn roughly_uniform() {
        let masks = example();
        let mut rng = Rng::new(9, 0);
        let mut hits = [0usize; 7];
        let all = random(&masks, 7, &mut rng);
        for _ in 0..7000 {
            for w in random(&masks, 2, &mut rng) {
                hits[all.iter().position(|a| *a == w).expect("a survivor")] += 1;
            }
        }
        // each survivor is expected 7000 · 2/7 = 2000 times
        assert!(hits.iter().all(|&h| (1800..2200).contains(&h)), "{hits:?}");
    }
}
