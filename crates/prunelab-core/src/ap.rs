//! The pruning metric of Activate-while-Pruning (AP paper, Algorithm 1).
//!
//! Weights of often-dead ReLU neurons receive no gradient, so they move little from
//! initialisation: |θ* − θ0| locates dead neurons. Their inputs are non-negative (post-ReLU), so
//! pruning their *negative* weights raises the pre-activation and can reactivate them. Hence:
//! among surviving weights with θ* < 0, prune the ones with the smallest |θ* − θ0|.
//!
//! The substitution study (AP paper, §4.4, Table 10) swaps one half each: AP-output locates dead
//! neurons by their observed outputs instead of weight movement ([`select_output`], with rates from
//! [`row_dead_rate`]); AP-bias-k activates the neurons AP located by raising their biases instead
//! of pruning ([`locate_neurons`]).

use crate::criterion::{Score, WeightRef, select_lowest, select_lowest_by};
use crate::mask::{Layer, Masks};

pub use crate::dnr::row_dead_rate;

/// Algorithm 1: the `k` surviving negative weights (θ* < 0) with the smallest |θ* − θ0|,
/// ties by (score, layer, row-major index). `theta0` is the rewind point (initialisation).
/// Returns fewer than `k` when fewer surviving weights are negative.
pub fn select(
    theta_star: &[Vec<f32>],
    theta0: &[Vec<f32>],
    masks: &Masks,
    k: usize,
) -> Vec<WeightRef> {
    select_lowest(masks, k, |l, i| {
        let w = theta_star[l][i];
        (w < 0.0).then(|| (w - theta0[l][i]).abs())
    })
}

/// AP-output (AP paper, §4.4 and Table 10, "replace the dead neuron location mechanism (weight
/// movement) with directly observing the post-activated output of each ReLU neuron"): dead neurons
/// are located by how often their ReLU output was 0 over the training set — `dead_rate` from
/// [`row_dead_rate`] — and activated as in Algorithm 1, by pruning negative weights.
///
/// Eligible: surviving negative weights (θ* < 0) in rows that have a dead rate (rows feeding no
/// counted ReLU, such as the classifier's, are skipped). The `k` selected are ordered, and returned,
/// by: highest dead rate first (weights of the most-often-dead neurons), then smallest |θ* − θ0|,
/// then (layer, index). Rows that were never dead (rate 0) are still eligible, last, so the quota
/// is met whenever enough negative weights survive; fewer than `k` are returned otherwise. A NaN
/// rate or movement sorts last within its key.
///
/// # Panics
/// If `layers` has fewer kernels than `masks`.
pub fn select_output(
    theta_star: &[Vec<f32>],
    theta0: &[Vec<f32>],
    dead_rate: &[Vec<Option<f32>>],
    masks: &Masks,
    k: usize,
    layers: &[Layer],
) -> Vec<WeightRef> {
    select_lowest_by(masks, k, |l, i| {
        let w = theta_star[l][i];
        if w >= 0.0 || w.is_nan() {
            return None;
        }
        let rate = dead_rate
            .get(l)?
            .get(i / layers[l].fan_in())
            .copied()
            .flatten()?;
        // Negating the rate turns "most often dead first" into an ascending key; Score keeps NaN last.
        Some((Score(-rate), Score((w - theta0[l][i]).abs())))
    })
}

/// AP-bias-k (AP paper, §4.4 and Table 10, "adding a constant value k to the bias of dead ReLU
/// neurons"): the distinct (kernel, row) neurons owning the weights that AP selected (row =
/// `index / fan_in`), sorted; the engine adds `k` to those neurons' biases instead of pruning.
///
/// # Panics
/// If a reference names a kernel outside `layers`.
pub fn locate_neurons(selected: &[WeightRef], layers: &[Layer]) -> Vec<(usize, usize)> {
    let mut neurons: Vec<(usize, usize)> = selected
        .iter()
        .map(|w| (w.layer, w.index / layers[w.layer].fan_in().max(1)))
        .collect();
    neurons.sort_unstable();
    neurons.dedup();
    neurons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criterion::{dense, refs};
    use crate::mask::Layer;

    #[test]
    fn only_negative_weights_by_smallest_movement() {
        let star = vec![vec![-0.5, 0.1, -0.2, -0.9]];
        let init = vec![vec![-0.45, 0.1, 0.3, -0.1]];
        // movements of the negative ones: 0.05, 0.5, 0.8 → indices 0, 2, 3
        let got = select(&star, &init, &dense(&[4]), 2);
        assert_eq!(
            got,
            vec![
                WeightRef { layer: 0, index: 0 },
                WeightRef { layer: 0, index: 2 }
            ]
        );
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

    /// fc0 [2,2] feeds a ReLU: row 0 dead 25 % of the time, row 1 75 %. fc1 [1,2] is the classifier
    /// (no rate), fc2 [1,2] is fully pruned.
    /// fc0 θ* = [-0.5, 0.25 | -0.25, -1], θ0 = [-0.25, 0 | -1, -1]:
    ///   row 1 (75 %): index 3 (movement 0), index 2 (0.75); row 0 (25 %): index 0 (0.25);
    ///   index 1 is positive. fc1's negatives have no rate.
    type Example = (
        Vec<Vec<f32>>,
        Vec<Vec<f32>>,
        Vec<Vec<Option<f32>>>,
        Vec<Layer>,
        Masks,
    );

    fn output_example() -> Example {
        let layers = vec![
            Layer::new("fc0", &[2, 2]),
            Layer::new("fc1", &[1, 2]),
            Layer::new("fc2", &[1, 2]),
        ];
        let star = vec![
            vec![-0.5, 0.25, -0.25, -1.0],
            vec![-1.0, -2.0],
            vec![-1.0, -1.0],
        ];
        let init = vec![
            vec![-0.25, 0.0, -1.0, -1.0],
            vec![-1.0, -2.0],
            vec![-1.0, -1.0],
        ];
        let rate = vec![vec![Some(0.25), Some(0.75)], vec![None], vec![Some(1.0)]];
        let mut masks = Masks::dense(&layers);
        masks.keep[2] = vec![false, false];
        (star, init, rate, layers, masks)
    }

    #[test]
    fn output_prefers_most_often_dead_rows() {
        let (star, init, rate, layers, masks) = output_example();
        assert_eq!(
            select_output(&star, &init, &rate, &masks, 2, &layers),
            refs(&[(0, 3), (0, 2)])
        );
        // k beyond the 3 eligible: all of them, most-dead row first
        assert_eq!(
            select_output(&star, &init, &rate, &masks, 10, &layers),
            refs(&[(0, 3), (0, 2), (0, 0)])
        );
        assert!(select_output(&star, &init, &rate, &masks, 0, &layers).is_empty());
        // Algorithm 1 on the same weights goes by movement alone and reaches the classifier
        assert_eq!(
            select(&star, &init, &masks, 3),
            refs(&[(0, 3), (1, 0), (1, 1)])
        );
    }

    #[test]
    fn output_ties_break_by_movement_then_layer_and_index() {
        // two kernels with every row dead 50 % and every movement 0.25
        let layers = vec![Layer::new("a", &[2, 1]), Layer::new("b", &[1, 2])];
        let star = vec![vec![-0.5, -0.75], vec![-0.25, -1.0]];
        let init = vec![vec![-0.25, -0.5], vec![0.0, -0.75]];
        let rate = vec![vec![Some(0.5), Some(0.5)], vec![Some(0.5)]];
        let masks = Masks::dense(&layers);
        let got = select_output(&star, &init, &rate, &masks, 3, &layers);
        assert_eq!(got, refs(&[(0, 0), (0, 1), (1, 0)]));
        // a larger movement in a more-dead row still goes first; a NaN rate goes last
        let rate = vec![vec![Some(f32::NAN), Some(0.5)], vec![Some(0.75)]];
        let init = vec![vec![-0.25, -0.5], vec![0.0, 0.0]];
        let got = select_output(&star, &init, &rate, &masks, 4, &layers);
        assert_eq!(got, refs(&[(1, 0), (1, 1), (0, 1), (0, 0)]));
    }

    #[test]
    fn neurons_of_selected_weights() {
        let layers = [Layer::new("conv", &[3, 2, 1, 2]), Layer::new("fc", &[2, 3])];
        // conv fan-in 4: indices 0..4 → filter 0, 4..8 → 1, 8..12 → 2; fc fan-in 3
        let selected = refs(&[(1, 5), (0, 9), (0, 3), (0, 0), (1, 3), (0, 11)]);
        assert_eq!(
            locate_neurons(&selected, &layers),
            vec![(0, 0), (0, 2), (1, 1)]
        );
        assert!(locate_neurons(&[], &layers).is_empty());
    }
}
