//! `density_init = "inherit"`: net[i+1] starts from a random subset of net[i]'s trained filters
//! instead of a fresh initialisation (the option §III of the paper tried and found equivalent:
//! "we randomly remove the filters at every layer based on the density"). Each resizable layer
//! keeps a seeded random subset of its channels; every tensor is sliced along the axes those
//! channels index.

use crate::rng::Rng;

/// What one axis of a tensor indexes: the channels of resizable layer `layer`, each repeated over
/// `positions` consecutive entries (1 for a conv's channels; H·W where a linear layer reads a
/// flattened conv output, index = channel·positions + position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Axis {
    pub layer: usize,
    pub positions: usize,
}

impl Axis {
    pub fn channels(layer: usize) -> Option<Self> {
        Some(Self {
            layer,
            positions: 1,
        })
    }
}

/// For each resizable layer, the `new[L]` channels (of `old[L]`) that net[i+1] keeps: a uniformly
/// random subset in increasing order, from the stream of net `net` (seeded by `seed`).
pub fn keep_channels(old: &[usize], new: &[usize], seed: u64, net: u32) -> Vec<Vec<usize>> {
    old.iter()
        .zip(new)
        .enumerate()
        .map(|(l, (&o, &n))| {
            let mut rng = Rng::new(seed, (1 << 45) + (u64::from(net) << 16) + l as u64);
            let mut all: Vec<usize> = (0..o).collect();
            rng.shuffle(&mut all);
            let mut kept: Vec<usize> = all.into_iter().take(n.min(o)).collect();
            kept.sort_unstable();
            kept
        })
        .collect()
}

/// The entries of a row-major tensor of `old_shape` that a tensor of `new_shape` keeps: along an
/// axis with `Some(axis)`, new index `c·positions + p` reads old `keep[layer][c]·positions + p`;
/// other axes must have the same size. `None` when the shapes do not fit the description.
pub fn slice(
    values: &[f32],
    old_shape: &[usize],
    new_shape: &[usize],
    axes: &[Option<Axis>],
    keep: &[Vec<usize>],
) -> Option<Vec<f32>> {
    if old_shape.len() != new_shape.len()
        || axes.len() != new_shape.len()
        || values.len() != old_shape.iter().product::<usize>()
    {
        return None;
    }
    // per axis: the old index of each new index
    let mut maps = Vec::with_capacity(new_shape.len());
    for ((&o, &n), axis) in old_shape.iter().zip(new_shape).zip(axes) {
        let map: Vec<usize> = match axis {
            None if o == n => (0..n).collect(),
            None => return None,
            Some(Axis { layer, positions }) => {
                let kept = keep.get(*layer)?;
                if kept.len() * positions != n
                    || o % positions != 0
                    || kept.iter().any(|&c| (c + 1) * positions > o)
                {
                    return None;
                }
                kept.iter()
                    .flat_map(|&c| (0..*positions).map(move |p| c * positions + p))
                    .collect()
            }
        };
        maps.push(map);
    }
    let strides: Vec<usize> = (0..old_shape.len())
        .map(|a| old_shape[a + 1..].iter().product())
        .collect();
    let total: usize = new_shape.iter().product();
    let mut out = Vec::with_capacity(total);
    let mut index = vec![0usize; new_shape.len()];
    for _ in 0..total {
        out.push(
            values[index
                .iter()
                .zip(&maps)
                .zip(&strides)
                .map(|((&i, m), s)| m[i] * s)
                .sum::<usize>()],
        );
        for a in (0..index.len()).rev() {
            index[a] += 1;
            if index[a] < new_shape[a] {
                break;
            }
            index[a] = 0;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_seeded_sorted_subset() {
        let keep = keep_channels(&[8, 5, 3], &[3, 5, 1], 7, 1);
        assert_eq!(keep[0].len(), 3);
        assert!(keep[0].windows(2).all(|w| w[0] < w[1]) && keep[0].iter().all(|&c| c < 8));
        assert_eq!(
            keep[1],
            [0, 1, 2, 3, 4],
            "a layer keeping its width keeps every channel"
        );
        assert_eq!(keep, keep_channels(&[8, 5, 3], &[3, 5, 1], 7, 1), "seeded");
        assert_ne!(
            keep_channels(&[64], &[20], 7, 1),
            keep_channels(&[64], &[20], 7, 2),
            "per net"
        );
    }

    /// A conv [out 3, in 2, 1, 1] kept as [out {0, 2}, in {1}], and a linear layer reading a
    /// flattened map of 2 positions per channel, keeping channel 1.
    #[test]
    fn slices_rows_columns_and_flattened_positions() {
        let conv: Vec<f32> = (0..6).map(|v| v as f32).collect(); // [[0, 1], [2, 3], [4, 5]]
        let keep = vec![vec![0, 2], vec![1]];
        let axes = [Axis::channels(0), Axis::channels(1), None, None];
        assert_eq!(
            slice(&conv, &[3, 2, 1, 1], &[2, 1, 1, 1], &axes, &keep),
            Some(vec![1.0, 5.0])
        );
        let fc: Vec<f32> = (0..8).map(|v| v as f32).collect(); // [2 out, 2 channels × 2 positions]
        let axes = [
            None,
            Some(Axis {
                layer: 1,
                positions: 2,
            }),
        ];
        assert_eq!(
            slice(&fc, &[2, 4], &[2, 2], &axes, &keep),
            Some(vec![2.0, 3.0, 6.0, 7.0])
        );
        // shapes that do not fit the description
        assert_eq!(slice(&fc, &[2, 4], &[2, 3], &axes, &keep), None);
        assert_eq!(slice(&fc, &[2, 4], &[1, 2], &axes, &keep), None);
        assert_eq!(
            slice(&conv, &[3, 2, 1, 1], &[2, 1, 1, 1], &axes[..2], &keep),
            None
        );
    }
}
