//! ViT-B/16 (Dosovitskiy et al. 2021) as torchvision's `vit_b_16`: a 16×16 stride-16 patch conv
//! to 768 channels, a learned class token and position embedding, 12 pre-norm encoder blocks
//! (LayerNorm ε = 1e-6 → 12-head self-attention → residual; LayerNorm → MLP 768 → 3072 → 768 with
//! GELU → residual), a final LayerNorm and a linear head on the class token: 86 567 656
//! parameters and 17 563 828 224 MACs at 3×224×224 for 1000 classes. The AP paper prunes it on
//! CIFAR-10 with IMP (Table 6). Any input works: the patch grid is ⌊h/16⌋ × ⌊w/16⌋ (32×32 → 2×2
//! patches + the class token = 5 tokens) and the position embedding has one row per token.
//! Dropout is 0, as torchvision's default.
//!
//! Prunable kernels: the patch conv, the query, key, value and output projections and both MLP
//! layers of every block, and the head (torchvision packs query, key and value in one
//! `in_proj_weight`; the parameter count is the same). The class token and position embedding are
//! learned tensors ([`crate::params::Role::Embedding`]), LayerNorm γ/β are norms.
//!
//! Dead neurons — **DNR (GELU, pre-activation ≤ 0)**: GELU has no exact zeros, so a unit — one
//! hidden MLP feature (of 3072) at one token position — is counted dead on a sample when its
//! pre-activation is ≤ 0 (see [`Probe::gelu`]). It is static when its row of the first MLP layer
//! is fully pruned. The attention softmax and the residual stream have no counted units.

use burn::module::Param;
use burn::nn::attention::{MhaInput, MultiHeadAttention, MultiHeadAttentionConfig};
use burn::nn::conv::Conv2d;
use burn::nn::{Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, Conv, LayerCost};

use crate::layers::{Apply, conv};
use crate::network::InputShape;
use crate::probe::Probe;

const LN_EPS: f64 = 1e-6;

/// The shape of a vision transformer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VitPlan {
    pub input: InputShape,
    pub patch: usize,
    /// Token width D.
    pub dim: usize,
    /// Encoder blocks.
    pub depth: usize,
    pub heads: usize,
    /// MLP hidden width.
    pub mlp: usize,
    pub classes: usize,
}

impl VitPlan {
    /// ViT-B/16: patch 16, D = 768, 12 blocks of 12 heads, MLP 3072.
    pub fn b16(input: InputShape, classes: usize) -> Self {
        Self {
            input,
            patch: 16,
            dim: 768,
            depth: 12,
            heads: 12,
            mlp: 3072,
            classes,
        }
    }

    fn patch_conv(&self) -> Conv {
        Conv::new(self.input.0[0], self.dim, self.patch)
            .stride(self.patch)
            .padding(0)
            .bias()
    }

    /// Sequence length: patches + the class token.
    pub fn tokens(&self) -> usize {
        let [_, h, w] = self.input.0;
        let [ph, pw] = self.patch_conv().output([h, w]);
        ph * pw + 1
    }

    pub fn costs(&self) -> Vec<LayerCost> {
        let [_, h, w] = self.input.0;
        let (t, d) = (self.tokens(), self.dim);
        let mut out = vec![
            self.patch_conv().cost("conv_proj", [h, w]),
            macs::learned("class_token", d),
            macs::learned("encoder.pos_embedding", t * d),
        ];
        for i in 0..self.depth {
            let block = format!("encoder.layers.{i}");
            out.push(macs::norm(format!("{block}.ln_1"), d));
            for proj in ["query", "key", "value", "output"] {
                out.push(macs::linear(
                    format!("{block}.self_attention.{proj}"),
                    d,
                    d,
                    true,
                    t,
                ));
            }
            out.push(macs::attention(
                format!("{block}.self_attention.matmuls"),
                t,
                d,
            ));
            out.push(macs::norm(format!("{block}.ln_2"), d));
            out.push(macs::linear(
                format!("{block}.mlp.fc1"),
                d,
                self.mlp,
                true,
                t,
            ));
            out.push(macs::linear(
                format!("{block}.mlp.fc2"),
                self.mlp,
                d,
                true,
                t,
            ));
        }
        out.push(macs::norm("encoder.ln", d));
        out.push(macs::linear("head", d, self.classes, true, 1));
        out
    }

    /// One counted GELU layer per block: `mlp` units × every token, fed by the block's first MLP
    /// layer. Kernels in model order: patch conv, per block query, key, value, output, fc1, fc2,
    /// head — so block i's fc1 is kernel 6i + 5.
    pub fn units(&self) -> Vec<UnitLayer> {
        (0..self.depth)
            .map(|i| {
                UnitLayer::fed_by(
                    format!("encoder.layers.{i}.mlp.gelu"),
                    self.mlp,
                    self.tokens(),
                    vec![6 * i + 5],
                )
            })
            .collect()
    }
}

#[derive(Module, Debug)]
pub struct Mlp {
    fc1: Linear,
    fc2: Linear,
}

#[derive(Module, Debug)]
pub struct EncoderBlock {
    ln_1: LayerNorm,
    self_attention: MultiHeadAttention,
    ln_2: LayerNorm,
    mlp: Mlp,
}

impl EncoderBlock {
    fn new(plan: &VitPlan, device: &Device) -> Self {
        let ln = || {
            LayerNormConfig::new(plan.dim)
                .with_epsilon(LN_EPS)
                .init(device)
        };
        Self {
            ln_1: ln(),
            self_attention: MultiHeadAttentionConfig::new(plan.dim, plan.heads)
                .with_dropout(0.0)
                .init(device),
            ln_2: ln(),
            mlp: Mlp {
                fc1: LinearConfig::new(plan.dim, plan.mlp).init(device),
                fc2: LinearConfig::new(plan.mlp, plan.dim).init(device),
            },
        }
    }

    fn forward(&self, x: Tensor<3>, probe: &mut Probe) -> Tensor<3> {
        let attended = self
            .self_attention
            .forward(MhaInput::self_attn(self.ln_1.forward(x.clone())))
            .context;
        let x = x + attended;
        let hidden = probe.gelu(self.mlp.fc1.forward(self.ln_2.forward(x.clone())));
        x + self.mlp.fc2.forward(hidden)
    }
}

#[derive(Module, Debug)]
pub struct Encoder {
    pos_embedding: Param<Tensor<3>>,
    layers: Vec<EncoderBlock>,
    ln: LayerNorm,
}

#[derive(Module, Debug)]
pub struct Vit {
    conv_proj: Conv2d,
    class_token: Param<Tensor<3>>,
    encoder: Encoder,
    head: Linear,
    #[module(skip)]
    plan: VitPlan,
}

impl Vit {
    /// ViT-B/16.
    pub fn b16(input: InputShape, classes: usize, device: &Device) -> Self {
        Self::from_plan(VitPlan::b16(input, classes), device)
    }

    /// Any depth and width (tests run a narrow, shallow one through the same code).
    pub fn from_plan(plan: VitPlan, device: &Device) -> Self {
        let (t, d) = (plan.tokens(), plan.dim);
        Self {
            conv_proj: conv(plan.patch_conv(), device),
            class_token: Initializer::Zeros.init([1, 1, d], device),
            encoder: Encoder {
                pos_embedding: Initializer::Normal {
                    mean: 0.0,
                    std: 0.02,
                }
                .init([1, t, d], device),
                layers: (0..plan.depth)
                    .map(|_| EncoderBlock::new(&plan, device))
                    .collect(),
                ln: LayerNormConfig::new(d).with_epsilon(LN_EPS).init(device),
            },
            head: LinearConfig::new(d, plan.classes).init(device),
            plan,
        }
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let patches = self.conv_proj.apply(x);
        let [b, d, ph, pw] = patches.dims();
        let t = ph * pw + 1;
        let patches = patches.reshape([b, d, ph * pw]).swap_dims(1, 2);
        let class = self.class_token.val().expand([b, 1, d]);
        let mut x = Tensor::cat(vec![class, patches], 1)
            + self.encoder.pos_embedding.val().expand([b, t, d]);
        for block in &self.encoder.layers {
            x = block.forward(x, probe);
        }
        let x = self.encoder.ln.forward(x);
        self.head
            .forward(x.slice([0..b, 0..1, 0..d]).reshape([b, d]))
    }

    pub fn units(&self) -> Vec<UnitLayer> {
        self.plan.units()
    }
}
