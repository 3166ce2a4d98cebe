//! Structured filter pruning (Li et al., "Pruning Filters for Efficient ConvNets", ICLR 2017).

use super::{Score, WeightRef, check_shapes, lowest, portion};
use crate::mask::{Layer, Masks};

/// The norm ranking filters: L1 (`Σ|w|`, Li et al.'s choice) or L2 (`√Σw²`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    L1,
    L2,
}

/// Structured pruning by filter norm (Li et al. 2017, §3.1: prune the filters with the smallest
/// `Σ|w|`, layer by layer): in every kernel except the **last** one (the classifier, so no class is
/// ever removed), among the rows — conv filters / linear output neurons, the first dimension — that
/// still have a surviving weight, prune `⌊alive_rows_l · rate / 100⌋` whole rows, those with the
/// smallest `norm` of their surviving weights (ties by row index; a row with a NaN weight has a NaN
/// norm and goes last). `rate` is in percent.
///
/// Returns every surviving weight of the chosen rows, in (layer, index) order. The weights feeding
/// the removed filter's channel in the next kernel are left alone (the filter's ReLU output is
/// then constant, its own bias); removing them is up to the caller.
///
/// # Panics
/// If `layers` and `masks` describe different kernels.
pub fn channels(
    theta: &[Vec<f32>],
    layers: &[Layer],
    masks: &Masks,
    rate: f64,
    norm: Norm,
) -> Vec<WeightRef> {
    check_shapes(layers, masks);
    let prunable = layers.len().saturating_sub(1);
    let mut selected = Vec::new();
    for (layer, ((kernel, keep), values)) in layers
        .iter()
        .zip(&masks.keep)
        .zip(theta)
        .take(prunable)
        .enumerate()
    {
        let fan_in = kernel.fan_in();
        if fan_in == 0 {
            continue;
        }
        let alive_rows: Vec<(Score, usize)> = keep
            .chunks_exact(fan_in)
            .zip(values.chunks_exact(fan_in))
            .enumerate()
            .filter(|(_, (row, _))| row.iter().any(|&a| a))
            .map(|(r, (row, w))| (Score(row_norm(row, w, norm)), r))
            .collect();
        let k = portion(alive_rows.len(), rate);
        let mut rows = lowest(alive_rows, k);
        rows.sort_unstable();
        for r in rows {
            let start = r * fan_in;
            let alive = keep[start..start + fan_in]
                .iter()
                .enumerate()
                .filter(|(_, a)| **a);
            selected.extend(alive.map(|(i, _)| WeightRef {
                layer,
                index: start + i,
            }));
        }
    }
    selected
}

/// Norm of the surviving weights of one row, accumulated in f64.
fn row_norm(keep: &[bool], values: &[f32], norm: Norm) -> f32 {
    let alive = keep
        .iter()
        .zip(values)
        .filter(|(a, _)| **a)
        .map(|(_, &w)| f64::from(w));
    let value = match norm {
        Norm::L1 => alive.map(f64::abs).sum::<f64>(),
        Norm::L2 => alive.map(|w| w * w).sum::<f64>().sqrt(),
    };
    value as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criterion::refs;

    /// fc0 [3,2]: rows [3, 4] (L1 7, L2 5), [0, -6] (L1 6, L2 6), [4, 4] (L1 8, L2 √32 ≈ 5.66).
    /// fc1 [2,3]: row 0 = [1, (-1 pruned), 0] (alive L1 1), row 1 fully pruned (not counted).
    /// fc2 [2,2] is the classifier: never touched, even at 100 %.
    fn example() -> (Vec<Vec<f32>>, Vec<Layer>, Masks) {
        let layers = vec![
            Layer::new("fc0", &[3, 2]),
            Layer::new("fc1", &[2, 3]),
            Layer::new("fc2", &[2, 2]),
        ];
        let theta = vec![
            vec![3.0, 4.0, 0.0, -6.0, 4.0, 4.0],
            vec![1.0, -1.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0; 4],
        ];
        let mut masks = Masks::dense(&layers);
        masks.keep[1][1] = false;
        masks.keep[1][3..].iter_mut().for_each(|a| *a = false);
        (theta, layers, masks)
    }

    #[test]
    fn l1_and_l2_rank_rows_differently() {
        let (theta, layers, masks) = example();
        // 50 %: fc0 ⌊1.5⌋ = 1 row, fc1 ⌊0.5⌋ = 0 rows
        assert_eq!(
            channels(&theta, &layers, &masks, 50.0, Norm::L1),
            refs(&[(0, 2), (0, 3)])
        );
        assert_eq!(
            channels(&theta, &layers, &masks, 50.0, Norm::L2),
            refs(&[(0, 0), (0, 1)])
        );
        // 70 %: fc0 ⌊2.1⌋ = 2 rows, returned in (layer, index) order
        assert_eq!(
            channels(&theta, &layers, &masks, 70.0, Norm::L1),
            refs(&[(0, 0), (0, 1), (0, 2), (0, 3)])
        );
        assert_eq!(
            channels(&theta, &layers, &masks, 70.0, Norm::L2),
            refs(&[(0, 0), (0, 1), (0, 4), (0, 5)])
        );
    }

    #[test]
    fn rate_bounds_pruned_rows_and_the_classifier() {
        let (theta, layers, masks) = example();
        assert!(channels(&theta, &layers, &masks, 0.0, Norm::L1).is_empty());
        // 100 %: every alive weight of every non-classifier row (fc1's zero-valued alive weight too)
        let all = refs(&[
            (0, 0),
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 4),
            (0, 5),
            (1, 0),
            (1, 2),
        ]);
        assert_eq!(channels(&theta, &layers, &masks, 100.0, Norm::L2), all);
        assert_eq!(channels(&theta, &layers, &masks, 400.0, Norm::L2), all);
        // a single kernel is the classifier: nothing to prune
        assert!(
            channels(
                &theta[2..],
                &layers[2..],
                &Masks::dense(&layers[2..]),
                100.0,
                Norm::L1
            )
            .is_empty()
        );
    }

    #[test]
    fn ties_by_row_index() {
        // conv [3,1,1,2]: filter norms L1 2, 2, 2 → 66 % (⌊1.98⌋ = 1) takes filter 0
        let layers = vec![Layer::new("conv", &[3, 1, 1, 2]), Layer::new("fc", &[1, 3])];
        let theta = vec![vec![1.0, -1.0, 2.0, 0.0, 0.0, -2.0], vec![1.0; 3]];
        let masks = Masks::dense(&layers);
        assert_eq!(
            channels(&theta, &layers, &masks, 66.0, Norm::L1),
            refs(&[(0, 0), (0, 1)])
        );
        // 67 %: ⌊2.01⌋ = 2 filters: 0 and 1
        assert_eq!(
            channels(&theta, &layers, &masks, 67.0, Norm::L1),
            refs(&[(0, 0), (0, 1), (0, 2), (0, 3)])
        );
    }
}
