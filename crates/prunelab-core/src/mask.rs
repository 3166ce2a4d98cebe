//! Pruning masks over the prunable kernels (conv and linear weights; biases and norm layers are
//! never pruned). Every vector here is in PyTorch layout: `[out, in]` for linear, `[out, in, kh, kw]`
//! for conv, row-major, so "row-major index" means the same thing as in a PyTorch checkpoint.

use serde::{Deserialize, Serialize};

/// One prunable kernel: its checkpoint name (e.g. `fc1.weight`) and PyTorch shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    pub name: String,
    pub shape: Vec<usize>,
}

impl Layer {
    pub fn new(name: impl Into<String>, shape: &[usize]) -> Self {
        Self {
            name: name.into(),
            shape: shape.to_vec(),
        }
    }

    /// Number of weights in the kernel.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Output neurons / filters: the first dimension.
    pub fn outputs(&self) -> usize {
        self.shape.first().copied().unwrap_or(0)
    }

    /// Incoming weights per output neuron / filter.
    pub fn fan_in(&self) -> usize {
        self.shape.iter().skip(1).product()
    }
}

/// Keep flags (`true` = alive) for every prunable layer, in model order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Masks {
    pub keep: Vec<Vec<bool>>,
}

impl Masks {
    /// All weights alive.
    pub fn dense(layers: &[Layer]) -> Self {
        Self {
            keep: layers.iter().map(|l| vec![true; l.len()]).collect(),
        }
    }

    /// Surviving weights over all layers.
    pub fn alive(&self) -> usize {
        self.keep
            .iter()
            .map(|k| k.iter().filter(|&&b| b).count())
            .sum()
    }

    /// All prunable weights, alive or not.
    pub fn total(&self) -> usize {
        self.keep.iter().map(Vec::len).sum()
    }

    /// λ: the fraction of prunable weights alive.
    pub fn remaining(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            1.0
        } else {
            self.alive() as f64 / total as f64
        }
    }

    /// Whether every incoming weight of output neuron/filter `row` of `layer` is pruned.
    pub fn row_pruned(&self, layers: &[Layer], layer: usize, row: usize) -> bool {
        let fan_in = layers[layer].fan_in();
        self.keep[layer][row * fan_in..(row + 1) * fan_in]
            .iter()
            .all(|&b| !b)
    }

    /// The mask of one layer as 0/1 floats, the form stored in checkpoints (`<param>_mask`).
    pub fn as_f32(&self, layer: usize) -> Vec<f32> {
        self.keep[layer]
            .iter()
            .map(|&b| if b { 1.0 } else { 0.0 })
            .collect()
    }

    /// Rebuild masks from 0/1 floats (any non-zero value counts as kept).
    pub fn from_f32(values: &[Vec<f32>]) -> Self {
        Self {
            keep: values
                .iter()
                .map(|v| v.iter().map(|&x| x != 0.0).collect())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_and_row_pruned() {
        let layers = [Layer::new("a", &[2, 3]), Layer::new("b", &[1, 2])];
        let mut m = Masks::dense(&layers);
        assert_eq!(m.total(), 8);
        m.keep[0][3] = false;
        m.keep[0][4] = false;
        m.keep[0][5] = false;
        assert!(m.row_pruned(&layers, 0, 1));
        assert!(!m.row_pruned(&layers, 0, 0));
        assert_eq!(m.alive(), 5);
        assert!((m.remaining() - 5.0 / 8.0).abs() < 1e-12);
        assert_eq!(Masks::from_f32(&[m.as_f32(0), m.as_f32(1)]), m);
    }
}
