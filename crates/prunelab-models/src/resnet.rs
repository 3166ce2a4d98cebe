//! Basic-block ResNets (He et al. 2016): a 3×3 stem + BN + ReLU, basic blocks
//! (conv3×3–BN–ReLU–conv3×3–BN, + shortcut, ReLU), global average pooling and a linear
//! classifier. Where a block changes shape its shortcut is a 1×1 conv + BN projection (option B).
//!
//! [`Resnet::cifar`] is the CIFAR ResNet-(6n+2) of He et al. §4.2 — three stages of n blocks (16,
//! 32, 64 channels; stride 2 entering stages 2 and 3) — as OpenLTH's `cifar_resnet_N`, the
//! implementation the AP paper follows: ResNet-20 (n = 3) has 272 474 parameters and ResNet-56
//! (n = 9) 855 770 for 10 classes. ResNet-18 for CIFAR is in `resnet18.rs`. Any input size works
//! (1-channel 28×28 as well).

use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{BatchNorm, Linear, LinearConfig};
use burn::prelude::*;
use prunelab_core::density::inherit::Axis;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, Conv, LayerCost};

use crate::layers::{Apply, Projection, bn, conv};
use crate::network::InputShape;
use crate::probe::Probe;

/// One basic block's shape: conv1 `c_in → mid` (with the block's stride), conv2 `mid → out`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockPlan {
    pub c_in: usize,
    pub mid: usize,
    pub out: usize,
    pub stride: usize,
}

impl BlockPlan {
    fn conv1(&self) -> Conv {
        Conv::new(self.c_in, self.mid, 3).stride(self.stride)
    }

    fn conv2(&self) -> Conv {
        Conv::new(self.mid, self.out, 3)
    }

    /// The 1×1 projection of a block that changes shape.
    fn projection(&self) -> Option<Conv> {
        (self.stride != 1 || self.c_in != self.out)
            .then(|| Conv::new(self.c_in, self.out, 1).stride(self.stride))
    }
}

/// The shape of a basic-block ResNet: input, stem width, blocks in order, classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResnetPlan {
    pub input: InputShape,
    pub stem: usize,
    pub blocks: Vec<BlockPlan>,
    pub classes: usize,
}

impl ResnetPlan {
    /// CIFAR ResNet-(6n+2): 16-32-64 channels, n blocks per stage.
    pub fn cifar(n: usize, input: InputShape, classes: usize) -> Self {
        Self::stages(input, classes, 16, &[(16, 1), (32, 2), (64, 2)], n)
    }

    /// `blocks` blocks per `(width, stride)` stage; the stride applies to a stage's first block.
    pub(crate) fn stages(
        input: InputShape,
        classes: usize,
        stem: usize,
        stages: &[(usize, usize)],
        blocks: usize,
    ) -> Self {
        let mut plan = Vec::new();
        let mut c_in = stem;
        for &(width, stride) in stages {
            for b in 0..blocks {
                plan.push(BlockPlan {
                    c_in,
                    mid: width,
                    out: width,
                    stride: if b == 0 { stride } else { 1 },
                });
                c_in = width;
            }
        }
        Self {
            input,
            stem,
            blocks: plan,
            classes,
        }
    }

    /// The widths activation-density resizing changes, in the order of [`ResnetPlan::units`]:
    /// the stem, then conv1 and conv2 of every block (Table I's ResNet-18 configurations).
    pub fn widths(&self) -> Vec<usize> {
        std::iter::once(self.stem)
            .chain(self.blocks.iter().flat_map(|b| [b.mid, b.out]))
            .collect()
    }

    /// The same network with `widths` (as [`ResnetPlan::widths`]; each ≥ 1): strides stay, each
    /// block's input follows the previous block's output, and projections appear wherever a
    /// block's input and output widths differ. `None` for a wrong number of widths.
    pub fn with_widths(&self, widths: &[usize]) -> Option<Self> {
        if widths.len() != 1 + 2 * self.blocks.len() {
            return None;
        }
        let mut c_in = widths[0];
        let blocks = self
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let block = BlockPlan {
                    c_in,
                    mid: widths[1 + 2 * i],
                    out: widths[2 + 2 * i],
                    stride: b.stride,
                };
                c_in = block.out;
                block
            })
            .collect();
        Some(Self {
            stem: widths[0],
            blocks,
            ..self.clone()
        })
    }

    fn stem_conv(&self) -> Conv {
        Conv::new(self.input.0[0], self.stem, 3)
    }

    fn features(&self) -> usize {
        self.blocks.last().map_or(self.stem, |b| b.out)
    }

    /// Spatial size after the stem and after each block.
    fn sizes(&self) -> Vec<[usize; 2]> {
        let [_, h, w] = self.input.0;
        let mut sizes = vec![self.stem_conv().output([h, w])];
        for b in &self.blocks {
            let last = sizes[sizes.len() - 1];
            sizes.push(b.conv1().output(last));
        }
        sizes
    }

    /// Parameters and MACs per layer (named as the module's parameters).
    pub fn costs(&self) -> Vec<LayerCost> {
        let [_, h, w] = self.input.0;
        let sizes = self.sizes();
        let mut out = vec![
            self.stem_conv().cost("conv", [h, w]),
            macs::norm("bn", self.stem),
        ];
        for (i, (b, &size)) in self.blocks.iter().zip(&sizes).enumerate() {
            out.push(b.conv1().cost(format!("blocks.{i}.conv1"), size));
            out.push(macs::norm(format!("blocks.{i}.bn1"), b.mid));
            out.push(
                b.conv2()
                    .cost(format!("blocks.{i}.conv2"), b.conv1().output(size)),
            );
            out.push(macs::norm(format!("blocks.{i}.bn2"), b.out));
            if let Some(p) = b.projection() {
                out.push(p.cost(format!("blocks.{i}.shortcut.conv"), size));
                out.push(macs::norm(format!("blocks.{i}.shortcut.bn"), b.out));
            }
        }
        out.push(macs::linear("fc", self.features(), self.classes, true, 1));
        out
    }

    /// Counted ReLU layers, in forward order. Prunable kernels are numbered in model order:
    /// stem conv, then per block conv1, conv2 and (if any) the shortcut conv, then fc.
    /// A block's second ReLU follows the residual sum, fed by its conv2 filter and (if any) its
    /// projection filter: static-dead only when both are fully pruned. Behind an identity shortcut
    /// it is fed by conv2 alone — AP-output may choose those rows — but has a weightless input
    /// path, so it is never counted as static.
    pub fn units(&self) -> Vec<UnitLayer> {
        let sizes = self.sizes();
        let [h, w] = sizes[0];
        let mut units = vec![UnitLayer::fed_by("relu", self.stem, h * w, vec![0])];
        let mut kernel = 1;
        for (i, (b, [h, w])) in self.blocks.iter().zip(&sizes[1..]).enumerate() {
            let (conv1, conv2) = (kernel, kernel + 1);
            kernel += 2;
            units.push(UnitLayer::fed_by(
                format!("blocks.{i}.relu1"),
                b.mid,
                h * w,
                vec![conv1],
            ));
            let relu2 = format!("blocks.{i}.relu2");
            units.push(match b.projection() {
                Some(_) => {
                    kernel += 1;
                    UnitLayer::fed_by(relu2, b.out, h * w, vec![conv2, kernel - 1])
                }
                None => UnitLayer::fed_by(relu2, b.out, h * w, vec![conv2]).with_identity_path(),
            });
        }
        units
    }
}

#[derive(Module, Debug)]
pub struct Block {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    shortcut: Option<Projection>,
}

impl Block {
    fn new(plan: &BlockPlan, device: &Device) -> Self {
        Self {
            conv1: conv(plan.conv1(), device),
            bn1: bn(plan.mid, device),
            conv2: conv(plan.conv2(), device),
            bn2: bn(plan.out, device),
            shortcut: plan.projection().map(|p| Projection::new(p, device)),
        }
    }

    fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<4> {
        let y = probe.relu(self.bn1.apply(self.conv1.apply(x.clone())));
        let y = self.bn2.apply(self.conv2.apply(y));
        let skip = match &self.shortcut {
            Some(p) => p.forward(x),
            None => x,
        };
        probe.relu(y + skip)
    }
}

#[derive(Module, Debug)]
pub struct Resnet {
    conv: Conv2d,
    bn: BatchNorm,
    blocks: Vec<Block>,
    pool: AdaptiveAvgPool2d,
    fc: Linear,
    #[module(skip)]
    plan: ResnetPlan,
}

impl Resnet {
    /// CIFAR ResNet-(6n+2) (ResNet-20: n = 3, ResNet-56: n = 9).
    pub fn cifar(n: usize, input: InputShape, classes: usize, device: &Device) -> Self {
        Self::from_plan(ResnetPlan::cifar(n, input, classes), device)
    }

    pub fn from_plan(plan: ResnetPlan, device: &Device) -> Self {
        Self {
            conv: conv(plan.stem_conv(), device),
            bn: bn(plan.stem, device),
            blocks: plan.blocks.iter().map(|b| Block::new(b, device)).collect(),
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: LinearConfig::new(plan.features(), plan.classes).init(device),
            plan,
        }
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let mut x = probe.relu(self.bn.apply(self.conv.apply(x)));
        for block in &self.blocks {
            x = block.forward(x, probe);
        }
        self.fc.forward(self.pool.forward(x).flatten(1, 3))
    }

    /// See [`ResnetPlan::units`].
    pub fn units(&self) -> Vec<UnitLayer> {
        self.plan.units()
    }

    /// Which resizable layer (as [`ResnetPlan::widths`]: stem 0, block b's conv1 1 + 2b and conv2
    /// 2 + 2b) each axis of tensor `name` indexes; a block's input is the previous block's conv2
    /// (the stem for block 0), and its projection maps that input to its conv2 channels.
    pub fn axes(&self, name: &str) -> Option<Vec<Option<Axis>>> {
        let ch = Axis::channels;
        let bn = |rest: &str, prefix: &str| {
            ["weight", "bias", "running_mean", "running_var"]
                .iter()
                .any(|f| rest == format!("{prefix}.{f}"))
        };
        if name == "conv.weight" {
            return Some(vec![ch(0), None, None, None]);
        }
        if bn(name, "bn") {
            return Some(vec![ch(0)]);
        }
        let last = 2 * self.plan.blocks.len();
        match name {
            "fc.weight" => return Some(vec![None, ch(last)]),
            "fc.bias" => return Some(vec![None]),
            _ => {}
        }
        let (b, rest) = name.strip_prefix("blocks.")?.split_once('.')?;
        let b: usize = b.parse().ok()?;
        let (input, mid, out) = (if b == 0 { 0 } else { 2 * b }, 1 + 2 * b, 2 + 2 * b);
        Some(match rest {
            "conv1.weight" => vec![ch(mid), ch(input), None, None],
            "conv2.weight" => vec![ch(out), ch(mid), None, None],
            "shortcut.conv.weight" => vec![ch(out), ch(input), None, None],
            r if bn(r, "bn1") => vec![ch(mid)],
            r if bn(r, "bn2") || bn(r, "shortcut.bn") => vec![ch(out)],
            _ => return None,
        })
    }
}
