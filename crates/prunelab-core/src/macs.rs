//! Parameters and multiply-accumulates (MACs) of one inference, layer by layer, from shapes alone.
//!
//! What is counted, per image:
//! - convolution: `O_h·O_w · C_out · k_h·k_w · C_in/groups` MACs — the activation-density paper's
//!   `#MAC = O²·N·k²·M` (§4.1) with grouped (depthwise) convolutions dividing `C_in`; parameters
//!   `C_out·C_in/groups·k_h·k_w` (+ `C_out` with a bias);
//! - linear: `in·out` MACs per token (`tokens` = 1 for a CNN classifier, the sequence length for
//!   a transformer layer), parameters `in·out` (+ `out`);
//! - attention: the two matrix products of scaled dot-product attention, `QKᵀ` and `AV`,
//!   `2·T²·D` MACs for `T` tokens of width `D` (all heads together), no parameters;
//! - BatchNorm / LayerNorm: their affine `γ`, `β` as parameters (`2·C`), no MACs; running
//!   statistics are buffers, not parameters (PyTorch's `model.parameters()` leaves them out);
//! - learned tensors (class token, position embedding): parameters only.
//!
//! Not counted as MACs: normalisation, activations, pooling, residual additions, softmax, biases.
//! Parameters match PyTorch's `sum(p.numel() for p in model.parameters())`; MACs match
//! `torch.utils.flop_counter.FlopCounterMode` / 2 and torchvision's published `_ops`
//! (see `docs/models.md`).

use serde::{Deserialize, Serialize};

/// Parameters and MACs of one layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerCost {
    pub layer: String,
    pub parameters: u64,
    pub macs: u64,
}

/// Sums of a cost list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub parameters: u64,
    pub macs: u64,
}

pub fn totals(layers: &[LayerCost]) -> Totals {
    layers.iter().fold(Totals::default(), |t, l| Totals {
        parameters: t.parameters + l.parameters,
        macs: t.macs + l.macs,
    })
}

/// A 2-D convolution's shape: square `kernel`, `stride`, symmetric zero `padding`, `groups`.
/// [`Conv::new`] gives stride 1, "same" padding `kernel / 2`, one group and no bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    pub c_in: usize,
    pub c_out: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub groups: usize,
    pub bias: bool,
}

impl Conv {
    pub fn new(c_in: usize, c_out: usize, kernel: usize) -> Self {
        Self {
            c_in,
            c_out,
            kernel,
            stride: 1,
            padding: kernel / 2,
            groups: 1,
            bias: false,
        }
    }

    pub fn stride(self, stride: usize) -> Self {
        Self { stride, ..self }
    }

    pub fn padding(self, padding: usize) -> Self {
        Self { padding, ..self }
    }

    /// Depthwise when `groups == c_in == c_out`.
    pub fn groups(self, groups: usize) -> Self {
        Self { groups, ..self }
    }

    pub fn bias(self) -> Self {
        Self { bias: true, ..self }
    }

    /// Output height and width for an input of `[h, w]` (PyTorch's floor rule).
    pub fn output(&self, [h, w]: [usize; 2]) -> [usize; 2] {
        [
            pooled(h, self.kernel, self.stride, self.padding),
            pooled(w, self.kernel, self.stride, self.padding),
        ]
    }

    pub fn cost(&self, layer: impl Into<String>, input: [usize; 2]) -> LayerCost {
        let [h, w] = self.output(input);
        let per_position =
            (self.c_out * self.c_in / self.groups.max(1) * self.kernel * self.kernel) as u64;
        LayerCost {
            layer: layer.into(),
            parameters: per_position + if self.bias { self.c_out as u64 } else { 0 },
            macs: (h * w) as u64 * per_position,
        }
    }
}

/// Output size of a sliding window (convolution or pooling) along one axis: ⌊(n + 2p − k)/s⌋ + 1,
/// 0 when the window does not fit.
pub fn pooled(n: usize, kernel: usize, stride: usize, padding: usize) -> usize {
    (n + 2 * padding)
        .checked_sub(kernel)
        .map_or(0, |r| r / stride.max(1) + 1)
}

/// A linear layer applied to each of `tokens` tokens.
pub fn linear(
    layer: impl Into<String>,
    inputs: usize,
    outputs: usize,
    bias: bool,
    tokens: usize,
) -> LayerCost {
    let weights = (inputs * outputs) as u64;
    LayerCost {
        layer: layer.into(),
        parameters: weights + if bias { outputs as u64 } else { 0 },
        macs: weights * tokens as u64,
    }
}

/// BatchNorm or LayerNorm over `features`: γ and β.
pub fn norm(layer: impl Into<String>, features: usize) -> LayerCost {
    LayerCost {
        layer: layer.into(),
        parameters: 2 * features as u64,
        macs: 0,
    }
}

/// The two matrix products of attention over `tokens` tokens of width `dim`: `QKᵀ` and `AV`.
pub fn attention(layer: impl Into<String>, tokens: usize, dim: usize) -> LayerCost {
    LayerCost {
        layer: layer.into(),
        parameters: 0,
        macs: 2 * (tokens * tokens * dim) as u64,
    }
}

/// A learned tensor of `values` entries used without multiplication (class token, position
/// embedding).
pub fn learned(layer: impl Into<String>, values: usize) -> LayerCost {
    LayerCost {
        layer: layer.into(),
        parameters: values as u64,
        macs: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The activation-density paper's formula on a 3×3 conv, and PyTorch's output-size rule.
    #[test]
    fn conv_macs_follow_o2_n_k2_m() {
        let c = Conv::new(64, 128, 3);
        assert_eq!(c.output([32, 32]), [32, 32]);
        assert_eq!(
            c.cost("c", [32, 32]),
            LayerCost {
                layer: "c".into(),
                parameters: 73_728,
                macs: 32 * 32 * 64 * 9 * 128
            }
        );
        let s = Conv::new(3, 64, 7).stride(2).padding(3);
        assert_eq!(s.output([224, 224]), [112, 112]);
        assert_eq!(s.output([5, 6]), [3, 3]);
        assert_eq!(Conv::new(16, 16, 3).stride(2).output([7, 8]), [4, 4]);
        let patch = Conv::new(3, 768, 16).stride(16).padding(0).bias();
        assert_eq!(patch.output([224, 224]), [14, 14]);
        assert_eq!(patch.cost("p", [224, 224]).parameters, 768 * 3 * 256 + 768);
        assert_eq!(
            Conv::new(3, 8, 16).stride(16).padding(0).output([8, 8]),
            [0, 0]
        );
    }

    #[test]
    fn depthwise_divides_by_groups() {
        let dw = Conv::new(96, 96, 3).groups(96).stride(2);
        let cost = dw.cost("dw", [16, 16]);
        assert_eq!(cost.parameters, 96 * 9);
        assert_eq!(cost.macs, 8 * 8 * 96 * 9);
    }

    #[test]
    fn linear_attention_norm_and_totals() {
        let layers = [
            linear("fc", 512, 10, true, 1),
            linear("mlp", 768, 3072, true, 197),
            attention("attn", 197, 768),
            norm("bn", 64),
            learned("pos", 197 * 768),
        ];
        assert_eq!(layers[0].parameters, 5_130);
        assert_eq!(layers[0].macs, 5_120);
        assert_eq!(layers[1].macs, 768 * 3072 * 197);
        assert_eq!(layers[2].macs, 2 * 197 * 197 * 768);
        assert_eq!(
            layers[3],
            LayerCost {
                layer: "bn".into(),
                parameters: 128,
                macs: 0
            }
        );
        let t = totals(&layers);
        assert_eq!(t.parameters, 5_130 + 768 * 3072 + 3072 + 128 + 197 * 768);
        assert_eq!(t.macs, 5_120 + 768 * 3072 * 197 + 2 * 197 * 197 * 768);
    }
}
