//! Who pruned each kernel weight — kept, the base method, or AP (AP paper, Algorithm 2 steps i
//! and AP) — accumulated over cycles, and the page's three-colour mask view of it: per layer,
//! the counts and a grid of at most `cells × cells` cells over the kernel as a matrix
//! `[out, in·kh·kw]`, each cell the fractions of its weights the base method and AP removed.

use prunelab_core::criterion::WeightRef;
use prunelab_engine::Checkpoint;
use serde::Serialize;

const KEPT: u8 = 0;
const BASE: u8 = 1;
const AP: u8 = 2;

/// Per kernel (model order): name, PyTorch shape, and who removed each weight.
#[derive(Default)]
pub struct Pruners {
    layers: Vec<(String, Vec<usize>, Vec<u8>)>,
}

/// One layer of the mask view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerMask {
    pub layer: String,
    pub shape: Vec<usize>,
    pub kept: usize,
    pub base: usize,
    pub ap: usize,
    /// Grid size (rows of cells over output units, columns over inputs).
    pub rows: usize,
    pub cols: usize,
    /// Row-major, 0..=255: fraction of the cell's weights pruned by the base method / by AP.
    pub base_share: Vec<u8>,
    pub ap_share: Vec<u8>,
}

impl Pruners {
    /// Add one cycle's pruning: weights alive in `_mask_prev` and pruned in `_mask` went to AP if
    /// listed in `ap_pruned`, else to the base method.
    pub fn add_cycle(&mut self, ck: &Checkpoint, ap_pruned: &[WeightRef]) {
        let names = ck.kernel_names();
        if self.layers.len() != names.len() {
            self.layers = names
                .iter()
                .map(|n| {
                    let shape = ck.f32(n).map(|(s, _)| s).unwrap_or_default();
                    let len = shape.iter().product();
                    ((*n).to_string(), shape, vec![KEPT; len])
                })
                .collect();
        }
        for (name, _, who) in &mut self.layers {
            let (Some((_, prev)), Some((_, next))) = (
                ck.f32(&format!("{name}_mask_prev")),
                ck.f32(&format!("{name}_mask")),
            ) else {
                continue;
            };
            for ((w, p), n) in who.iter_mut().zip(prev).zip(next) {
                if *w == KEPT && (p == 0.0 || n == 0.0) {
                    *w = BASE;
                }
            }
        }
        for r in ap_pruned {
            if let Some(w) = self
                .layers
                .get_mut(r.layer)
                .and_then(|l| l.2.get_mut(r.index))
            {
                *w = AP;
            }
        }
    }

    /// The mask view, each layer's grid at most `cells × cells`.
    pub fn view(&self, cells: usize) -> Vec<LayerMask> {
        self.layers
            .iter()
            .map(|(name, shape, who)| layer_view(name, shape, who, cells.max(1)))
            .collect()
    }
}

fn layer_view(name: &str, shape: &[usize], who: &[u8], cells: usize) -> LayerMask {
    let height = shape.first().copied().unwrap_or(1).max(1);
    let width = (who.len() / height).max(1);
    let (rows, cols) = (height.min(cells), width.min(cells));
    let mut counts = vec![[0u32; 3]; rows * cols];
    for (i, &w) in who.iter().enumerate() {
        let (r, c) = (i / width * rows / height, i % width * cols / width);
        counts[r * cols + c][usize::from(w)] += 1;
    }
    let share = |k: usize| {
        counts
            .iter()
            .map(|c| {
                (f64::from(c[k]) * 255.0 / f64::from(c.iter().sum::<u32>().max(1))).round() as u8
            })
            .collect()
    };
    let count = |k: u8| who.iter().filter(|&&w| w == k).count();
    LayerMask {
        layer: name.to_string(),
        shape: shape.to_vec(),
        kept: count(KEPT),
        base: count(BASE),
        ap: count(AP),
        rows,
        cols,
        base_share: share(usize::from(BASE)),
        ap_share: share(usize::from(AP)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(prev: &[f32], next: &[f32]) -> Checkpoint {
        let mut ck = Checkpoint::default();
        ck.push_f32("fc.weight", &[2, 4], &[0.0; 8]);
        ck.push_f32("fc.weight_mask_prev", &[2, 4], prev);
        ck.push_f32("fc.weight_mask", &[2, 4], next);
        ck.metadata.insert("kernels".into(), "fc.weight".into());
        ck
    }

    #[test]
    fn cycles_accumulate_base_and_ap_apart() {
        let mut p = Pruners::default();
        let ap = |index| WeightRef { layer: 0, index };
        p.add_cycle(
            &checkpoint(&[1.0; 8], &[0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
            &[ap(1)],
        );
        p.add_cycle(
            &checkpoint(
                &[0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                &[0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0],
            ),
            &[ap(7)],
        );
        let v = p.view(64);
        assert_eq!((v[0].kept, v[0].base, v[0].ap), (4, 2, 2));
        assert_eq!((v[0].rows, v[0].cols), (2, 4));
        assert_eq!(v[0].base_share, [255, 0, 0, 0, 0, 255, 0, 0]);
        assert_eq!(v[0].ap_share, [0, 255, 0, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn large_layers_are_downsampled_into_shares() {
        let mut p = Pruners::default();
        p.add_cycle(
            &checkpoint(&[1.0; 8], &[0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
            &[WeightRef { layer: 0, index: 4 }],
        );
        let v = &p.view(1)[0];
        assert_eq!((v.rows, v.cols, v.kept, v.base, v.ap), (1, 1, 6, 1, 1));
        assert_eq!((v.base_share[0], v.ap_share[0]), (32, 32));
    }
}
