//! VGG-19 with BatchNorm for CIFAR (Simonyan & Zisserman 2015) as OpenLTH's `cifar_vgg_19`, the
//! implementation of Frankle & Carbin (2019) that the AP paper uses for its VGG-19 tables:
//! 16 conv3×3 (with bias) + BN + ReLU layers of widths 64, 64, M, 128, 128, M, 256×4, M, 512×4, M,
//! 512×4 (M = 2×2 max-pool), then average pooling and one linear layer 512 → classes:
//! 20 040 522 parameters for 10 classes. kuangliu/pytorch-cifar's `VGG('VGG19')` (the
//! activation-density paper's) has the same layers and counts; it max-pools once more where
//! OpenLTH average-pools the final 2×2 map, which global average pooling here equals at 32×32.
//!
//! Widths are per conv layer (16 numbers) so a network resized to activation density × width
//! (activation-density paper, Table I) keeps the structure: BN sizes and the classifier follow.

use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, Linear, LinearConfig};
use burn::prelude::*;
use prunelab_core::density::inherit::Axis;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, Conv, LayerCost, pooled};

use crate::layers::{Apply, bn, conv};
use crate::network::InputShape;
use crate::probe::Probe;

/// The standard widths of the 16 conv layers.
pub const VGG19_WIDTHS: [usize; 16] = [
    64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512,
];

/// A 2×2 max-pool follows these conv layers (0-based).
const POOL_AFTER: [usize; 4] = [1, 3, 7, 11];

/// The shape of a VGG-19: input, per-layer widths, classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VggPlan {
    pub input: InputShape,
    pub widths: [usize; 16],
    pub classes: usize,
}

impl VggPlan {
    fn convs(&self) -> impl Iterator<Item = Conv> + '_ {
        let inputs = std::iter::once(self.input.0[0]).chain(self.widths.iter().copied());
        inputs
            .zip(self.widths)
            .map(|(c_in, c_out)| Conv::new(c_in, c_out, 3).bias())
    }

    /// Spatial size at the input of each conv layer.
    fn sizes(&self) -> Vec<[usize; 2]> {
        let [_, mut h, mut w] = self.input.0;
        (0..16)
            .map(|i| {
                let size = [h, w];
                if POOL_AFTER.contains(&i) {
                    (h, w) = (pooled(h, 2, 2, 0), pooled(w, 2, 2, 0));
                }
                size
            })
            .collect()
    }

    pub fn costs(&self) -> Vec<LayerCost> {
        let mut out = Vec::new();
        for (i, (c, size)) in self.convs().zip(self.sizes()).enumerate() {
            out.push(c.cost(format!("layers.{i}.conv"), size));
            out.push(macs::norm(format!("layers.{i}.bn"), c.c_out));
        }
        out.push(macs::linear("fc", self.widths[15], self.classes, true, 1));
        out
    }

    /// One counted ReLU per conv layer, fed by that conv alone (kernel i).
    pub fn units(&self) -> Vec<UnitLayer> {
        self.sizes()
            .into_iter()
            .enumerate()
            .map(|(i, [h, w])| {
                UnitLayer::fed_by(format!("layers.{i}"), self.widths[i], h * w, vec![i])
            })
            .collect()
    }
}

#[derive(Module, Debug)]
pub struct ConvBn {
    conv: Conv2d,
    bn: BatchNorm,
}

#[derive(Module, Debug)]
pub struct Vgg19 {
    layers: Vec<ConvBn>,
    pool: MaxPool2d,
    gap: AdaptiveAvgPool2d,
    fc: Linear,
    #[module(skip)]
    plan: VggPlan,
}

impl Vgg19 {
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        Self::with_widths(input, classes, &VGG19_WIDTHS, device)
    }

    /// VGG-19 with per-conv-layer `widths` (each ≥ 1).
    pub fn with_widths(
        input: InputShape,
        classes: usize,
        widths: &[usize; 16],
        device: &Device,
    ) -> Self {
        let plan = VggPlan {
            input,
            widths: *widths,
            classes,
        };
        Self {
            layers: plan
                .convs()
                .map(|c| ConvBn {
                    conv: conv(c, device),
                    bn: bn(c.c_out, device),
                })
                .collect(),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: LinearConfig::new(widths[15], classes).init(device),
            plan,
        }
    }

    pub fn forward(&self, mut x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        for (i, layer) in self.layers.iter().enumerate() {
            x = probe.relu(layer.bn.apply(layer.conv.apply(x)));
            if POOL_AFTER.contains(&i) {
                x = self.pool.forward(x);
            }
        }
        self.fc.forward(self.gap.forward(x).flatten(1, 3))
    }

    pub fn units(&self) -> Vec<UnitLayer> {
        self.plan.units()
    }

    /// Which conv layer's channels each axis of tensor `name` indexes.
    pub fn axes(&self, name: &str) -> Option<Vec<Option<Axis>>> {
        let ch = Axis::channels;
        match name {
            "fc.weight" => return Some(vec![None, ch(15)]),
            "fc.bias" => return Some(vec![None]),
            _ => {}
        }
        let (i, rest) = name.strip_prefix("layers.")?.split_once('.')?;
        let i: usize = i.parse().ok()?;
        Some(match rest {
            "conv.weight" => vec![ch(i), if i == 0 { None } else { ch(i - 1) }, None, None],
            "conv.bias" | "bn.weight" | "bn.bias" | "bn.running_mean" | "bn.running_var" => {
                vec![ch(i)]
            }
            _ => return None,
        })
    }
}
