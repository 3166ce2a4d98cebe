//! Lookahead pruning (LAP; Park et al., "Lookahead: A Far-Sighted Alternative of Magnitude-based
//! Pruning", ICLR 2020).

use super::{WeightRef, check_shapes, layerwise, select_lowest};
use crate::mask::{Layer, Masks};

/// Lookahead pruning (Park et al. 2020, eq. 4): in PyTorch `[out, in]` layout the score of
/// `W_i[j, k]` (input neuron `k` → output neuron `j` of kernel `i`) is
///
/// ```text
/// L_i(j, k) = |W_i[j, k]| · ‖W_{i−1}[k, :]‖ · ‖W_{i+1}[:, j]‖
/// ```
///
/// the magnitude scaled by the Frobenius norm of the surviving weights *into* input neuron `k` (its
/// row in the previous kernel) and *out of* output neuron `j` (its column in the next kernel). The
/// `k` lowest scores over all layers are pruned, sorted by (score, layer, index).
///
/// Boundary rules (how conv, flatten, residual and BatchNorm boundaries are handled):
/// - **Neighbours** are the adjacent prunable kernels in model order (`i − 1`, `i + 1`). Norms only
///   count surviving weights (masked explicitly, whatever `theta` holds at pruned positions).
/// - **Chaining** is decided from shapes alone. A neighbour is used only when shapes chain: the
///   previous kernel's outputs (`shape[0]`) equal this kernel's inputs (`shape[1]`), and likewise
///   for this kernel and the next.
/// - **Conv**: `W_i[j, k]` is the whole `kh × kw` slice; every weight of the slice gets the slice's
///   factors, which are norms over whole filters and slices: `‖W_{i−1}[k, :, :, :]‖` and
///   `‖W_{i+1}[:, j, :, :]‖`.
/// - **Flatten** (a linear kernel right after a conv kernel with `C` filters): the linear kernel's
///   `inputs = C·H·W` (channel-major, as `x.flatten(1)`); when `inputs` is divisible by `C`, input
///   `k` belongs to channel `k / (inputs / C)`, whose previous-layer factor is
///   `‖W_{i−1}[k / (inputs / C), :, :, :]‖`. Symmetrically the conv's next-layer factor for filter
///   `j` is the norm of all the linear kernel's columns of channel `j` (columns
///   `j·H·W .. (j+1)·H·W`).
/// - **Missing or non-chaining neighbour**: the first kernel has no previous factor, the last (the
///   classifier) no next factor, and a neighbour whose shape does not chain (e.g. a residual
///   shortcut projection, whose input is the block input, not the previous kernel's output; or a
///   grouped/depthwise conv) contributes a factor of 1. Being shape-based, a kernel whose shapes
///   chain by coincidence of channel counts (e.g. the kernels on either side of an identity shortcut,
///   or a projection followed by the next block's first conv, which does read the sum it feeds) is
///   treated as chained.
/// - **BatchNorm** between kernels is not folded in: its per-channel scale is ignored, the factors
///   use the raw kernel weights.
///
/// NaN weights give NaN scores (sorted last) to themselves and to every weight whose factor they
/// enter; no NaN is ever compared numerically. Norms are accumulated in f64.
///
/// # Panics
/// If `layers` and `masks` (or `theta`) describe different kernels.
pub fn lap(theta: &[Vec<f32>], layers: &[Layer], masks: &Masks, k: usize) -> Vec<WeightRef> {
    let scores = scores(theta, layers, masks);
    select_lowest(masks, k, |l, i| Some(scores[l][i]))
}

/// Layer-wise LAP (`lap_scope = "layer"`, the default of the LAP reference code): the same
/// scores as [`lap`], but every layer prunes `⌊alive_l · rate / 100⌋` of its own survivors, those
/// with the lowest score (see [`layerwise`]). `rate` is in percent.
pub fn lap_layerwise(
    theta: &[Vec<f32>],
    layers: &[Layer],
    masks: &Masks,
    rate: f64,
) -> Vec<WeightRef> {
    let scores = scores(theta, layers, masks);
    layerwise(masks, rate, |l, i| scores[l][i])
}

/// Outputs, inputs and kernel-slice size (`kh·kw`, 1 for linear) of a kernel.
fn dims(layer: &Layer) -> (usize, usize, usize) {
    let inputs = layer.shape.get(1).copied().unwrap_or(1);
    let slice = layer.shape.iter().skip(2).product();
    (layer.outputs(), inputs, slice)
}

/// How many inputs of `next` each output of `prev` feeds, when the two shapes chain: 1 for
/// `prev.outputs == next.inputs`, `H·W` for a conv flattened into a linear kernel.
fn chain(prev: &Layer, next: &Layer) -> Option<usize> {
    if prev.shape.len() < 2 || next.shape.len() < 2 {
        return None;
    }
    let (channels, inputs) = (prev.shape[0], next.shape[1]);
    if channels == 0 {
        None
    } else if inputs == channels {
        Some(1)
    } else if prev.shape.len() == 4 && next.shape.len() == 2 && inputs % channels == 0 {
        Some(inputs / channels)
    } else {
        None
    }
}

/// LAP scores of every weight, indexed like `theta` (pruned positions score 0 and are never read).
fn scores(theta: &[Vec<f32>], layers: &[Layer], masks: &Masks) -> Vec<Vec<f32>> {
    check_shapes(layers, masks);
    // Squared norms of the surviving weights of each output row and each input column (a column
    // of a conv is every `kh × kw` slice of that input channel).
    let mut row_sq: Vec<Vec<f64>> = Vec::with_capacity(layers.len());
    let mut col_sq: Vec<Vec<f64>> = Vec::with_capacity(layers.len());
    for ((layer, keep), values) in layers.iter().zip(&masks.keep).zip(theta) {
        let (outputs, inputs, slice) = dims(layer);
        let (mut rows, mut cols) = (vec![0.0; outputs], vec![0.0; inputs]);
        for (i, (_, &w)) in keep
            .iter()
            .zip(values)
            .enumerate()
            .filter(|(_, (alive, _))| **alive)
        {
            let square = f64::from(w) * f64::from(w);
            rows[i / (inputs * slice)] += square;
            cols[(i / slice) % inputs] += square;
        }
        row_sq.push(rows);
        col_sq.push(cols);
    }
    let mut out = Vec::with_capacity(layers.len());
    for (l, ((layer, keep), values)) in layers.iter().zip(&masks.keep).zip(theta).enumerate() {
        let (outputs, inputs, slice) = dims(layer);
        let before = l
            .checked_sub(1)
            .and_then(|p| Some((p, chain(&layers[p], layer)?)));
        let prev: Vec<f64> = (0..inputs)
            .map(|k| before.map_or(1.0, |(p, group)| row_sq[p][k / group].sqrt()))
            .collect();
        let after = layers
            .get(l + 1)
            .and_then(|n| Some((l + 1, chain(layer, n)?)));
        let next: Vec<f64> = (0..outputs)
            .map(|j| {
                after.map_or(1.0, |(n, group)| {
                    col_sq[n][j * group..(j + 1) * group]
                        .iter()
                        .sum::<f64>()
                        .sqrt()
                })
            })
            .collect();
        let mut scores = vec![0.0f32; keep.len()];
        for (i, (_, &w)) in keep
            .iter()
            .zip(values)
            .enumerate()
            .filter(|(_, (alive, _))| **alive)
        {
            let (j, k) = (i / (inputs * slice), (i / slice) % inputs);
            scores[i] = (f64::from(w).abs() * prev[k] * next[j]) as f32;
        }
        out.push(scores);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criterion::refs;

    /// Three linear kernels: W0 [2,3], W1 [2,2], W2 [1,2] (PyTorch [out, in]).
    /// W0 = [[3, 4, 0], [0, (9 pruned), 1]] → alive row norms 5, 1 (the pruned 9 must not count).
    /// W1 = [[3, -1], [4, (0 pruned)]]      → row norms √10, 4; column norms 5, 1.
    /// W2 = [[2, -1]]                        → column norms 2, 1.
    /// Scores |w| · ‖W_prev[k,:]‖ · ‖W_next[:,j]‖:
    ///   W0 (no prev): [3·5, 4·5, 0·5, 0·1, –, 1·1] = [15, 20, 0, 0, –, 1]
    ///   W1: [3·5·2, 1·1·2, 4·5·1, –] = [30, 2, 20, –]
    ///   W2 (no next): [2·√10, 1·4] ≈ [6.32, 4]
    fn mlp() -> (Vec<Vec<f32>>, Vec<Layer>, Masks) {
        let layers = vec![
            Layer::new("fc0", &[2, 3]),
            Layer::new("fc1", &[2, 2]),
            Layer::new("fc2", &[1, 2]),
        ];
        let theta = vec![
            vec![3.0, 4.0, 0.0, 0.0, 9.0, 1.0],
            vec![3.0, -1.0, 4.0, 0.0],
            vec![2.0, -1.0],
        ];
        let mut masks = Masks::dense(&layers);
        masks.keep[0][4] = false;
        masks.keep[1][3] = false;
        (theta, layers, masks)
    }

    #[test]
    fn hand_computed_mlp_scores() {
        let (theta, layers, masks) = mlp();
        let s = scores(&theta, &layers, &masks);
        assert_eq!(
            [s[0][0], s[0][1], s[0][2], s[0][3], s[0][5]],
            [15.0, 20.0, 0.0, 0.0, 1.0]
        );
        assert_eq!([s[1][0], s[1][1], s[1][2]], [30.0, 2.0, 20.0]);
        assert!((s[2][0] - 2.0 * 10f32.sqrt()).abs() < 1e-5);
        assert_eq!(s[2][1], 4.0);
    }

    /// Layer-wise at 50 %: ⌊5/2⌋ = 2 of W0 (the two 0 scores), ⌊3/2⌋ = 1 of W1 (the 2), ⌊2/2⌋ = 1 of
    /// W2 (the 4) — where the global ranking of as many weights would take W0's 1 and spare W2.
    #[test]
    fn layerwise_prunes_the_rate_of_every_layer() {
        let (theta, layers, masks) = mlp();
        assert_eq!(
            lap_layerwise(&theta, &layers, &masks, 50.0),
            refs(&[(0, 2), (0, 3), (1, 1), (2, 1)])
        );
        assert_eq!(
            lap(&theta, &layers, &masks, 4),
            refs(&[(0, 2), (0, 3), (0, 5), (1, 1)])
        );
    }

    #[test]
    fn mlp_selection_ties_and_k_bounds() {
        let (theta, layers, masks) = mlp();
        assert_eq!(
            lap(&theta, &layers, &masks, 3),
            refs(&[(0, 2), (0, 3), (0, 5)])
        );
        // the two 20s tie: layer 0 first
        let all = refs(&[
            (0, 2),
            (0, 3),
            (0, 5),
            (1, 1),
            (2, 1),
            (2, 0),
            (0, 0),
            (0, 1),
            (1, 2),
            (1, 0),
        ]);
        assert_eq!(lap(&theta, &layers, &masks, 9), all[..9]);
        assert_eq!(lap(&theta, &layers, &masks, 1000), all);
        assert!(lap(&theta, &layers, &masks, 0).is_empty());
    }

    /// conv0 [2,1,1,2] → conv1 [1,2,1,2] → flatten (1 channel × 3 positions) → fc [1,3].
    /// conv0 filters: [3, 4] (norm 5), [0, 1] (norm 1).
    /// conv1 slices (in-channel 0, 1): [3, 4] (norm 5), [0, -2] (norm 2); filter norm √29.
    /// fc columns 0..3 all belong to channel 0: norm ‖[1, 2, 2]‖ = 3.
    ///   conv0 (no prev, next = slice norms 5, 2): [15, 20, 0, 2]
    ///   conv1 (prev = filter norms 5, 1; next = 3): [45, 60, 0, 6]
    ///   fc (prev = conv1 filter 0 for every input: √29 ≈ 5.385): [5.39, 10.77, 10.77]
    #[test]
    fn conv_slices_and_flatten() {
        let layers = vec![
            Layer::new("conv0", &[2, 1, 1, 2]),
            Layer::new("conv1", &[1, 2, 1, 2]),
            Layer::new("fc", &[1, 3]),
        ];
        let theta = vec![
            vec![3.0, 4.0, 0.0, 1.0],
            vec![3.0, 4.0, 0.0, -2.0],
            vec![1.0, 2.0, 2.0],
        ];
        let masks = Masks::dense(&layers);
        let s = scores(&theta, &layers, &masks);
        assert_eq!(s[0], vec![15.0, 20.0, 0.0, 2.0]);
        assert_eq!(s[1], vec![45.0, 60.0, 0.0, 6.0]);
        let r = 29f32.sqrt();
        for (got, want) in s[2].iter().zip([r, 2.0 * r, 2.0 * r]) {
            assert!((got - want).abs() < 1e-5, "{:?}", s[2]);
        }
        let want = refs(&[
            (0, 2),
            (1, 2),
            (0, 3),
            (2, 0),
            (1, 3),
            (2, 1),
            (2, 2),
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
        ]);
        assert_eq!(lap(&theta, &layers, &masks, 100), want);
    }

    /// A projection whose inputs are not the previous kernel's outputs, and a flatten whose input
    /// count is not a multiple of the channels, get factors of 1 on that side.
    #[test]
    fn non_chaining_neighbours_count_as_one() {
        assert_eq!(
            chain(&Layer::new("a", &[4, 2]), &Layer::new("b", &[3, 4])),
            Some(1)
        );
        assert_eq!(
            chain(&Layer::new("c", &[2, 1, 3, 3]), &Layer::new("fc", &[5, 8])),
            Some(4)
        );
        assert_eq!(
            chain(&Layer::new("c", &[2, 1, 3, 3]), &Layer::new("fc", &[5, 3])),
            None
        );
        assert_eq!(
            chain(&Layer::new("fc", &[2, 3]), &Layer::new("fc", &[5, 4])),
            None
        );
        // conv2 [2,2,1,1] then shortcut [2,1,1,1] (reads the block input: 1 channel ≠ 2)
        let layers = vec![
            Layer::new("conv2", &[2, 2, 1, 1]),
            Layer::new("shortcut", &[2, 1, 1, 1]),
        ];
        let theta = vec![vec![1.0, -2.0, 3.0, 4.0], vec![5.0, -6.0]];
        let masks = Masks::dense(&layers);
        let s = scores(&theta, &layers, &masks);
        assert_eq!(s, vec![vec![1.0, 2.0, 3.0, 4.0], vec![5.0, 6.0]]);
    }

    #[test]
    fn fully_pruned_neighbour_zeroes_the_factor() {
        let (theta, layers, mut masks) = mlp();
        // W2 gone: W1's next factors are 0, so all of W1 scores 0; W2 itself has nothing to select
        masks.keep[2] = vec![false, false];
        let s = scores(&theta, &layers, &masks);
        assert_eq!([s[1][0], s[1][1], s[1][2]], [0.0; 3]);
        assert_eq!(lap(&theta, &layers, &masks, 100).len(), 8);
        assert_eq!(
            lap(&theta, &layers, &masks, 3),
            refs(&[(0, 2), (0, 3), (1, 0)])
        );
    }
}
