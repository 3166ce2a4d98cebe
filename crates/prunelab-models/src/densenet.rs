//! DenseNet-40 for CIFAR (Huang et al. 2017, §3 and Table 2: L = 40, k = 12, no bottleneck, no
//! compression): a 3×3 conv of 16 channels, three dense blocks of 12 layers — each BN-ReLU-conv3×3
//! adding k = 12 channels to the concatenation of everything before it in the block — separated by
//! transitions BN-ReLU-conv1×1 (same width)-avgpool 2×2, then BN-ReLU, global average pooling and
//! one linear layer: 1 060 132 parameters for 100 classes (CIFAR-100, the AP paper's Table 3).
//! The paper's Torch code starts with 16 channels as here; the PyTorch port of Liu et al. 2019
//! (`rethinking-network-pruning`) starts with 2k = 24 (1 100 428 parameters).
//!
//! Every ReLU here acts on a concatenation whose channels were produced by different kernels (the
//! stem conv, earlier dense layers, a transition). The probe therefore counts each ReLU in *parts*,
//! one per producing kernel, and each part is its own [`UnitLayer`] whose channel j is row j of
//! that kernel: a part is static-dead exactly where its producing filter is fully pruned (as for
//! conv → BN → ReLU elsewhere, BN's β is not considered). A kernel's output thus feeds the ReLUs of
//! every later layer of its block, and the AP-output dead rate of its filters pools them all.

use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, AvgPool2d, AvgPool2dConfig};
use burn::nn::{BatchNorm, Linear, LinearConfig};
use burn::prelude::*;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, Conv, LayerCost, pooled};

use crate::layers::{Apply, bn, conv};
use crate::network::InputShape;
use crate::probe::Probe;

const STAGES: usize = 3;

/// The shape of a DenseNet without bottleneck or compression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DensenetPlan {
    pub input: InputShape,
    /// Layers per dense block (12 for DenseNet-40: depth = 3·12 + 4).
    pub layers: usize,
    /// Growth rate k.
    pub growth: usize,
    /// Channels of the first conv.
    pub initial: usize,
    pub classes: usize,
}

/// One counted ReLU site: its name, spatial size and the parts of its input (producing kernel's
/// index and name, channels).
struct Site {
    name: String,
    size: [usize; 2],
    parts: Vec<(usize, String, usize)>,
}

/// A conv of the network: parameter name, shape, input size.
struct ConvAt {
    name: String,
    conv: Conv,
    size: [usize; 2],
}

impl DensenetPlan {
    pub fn densenet40(input: InputShape, classes: usize) -> Self {
        Self {
            input,
            layers: 12,
            growth: 12,
            initial: 16,
            classes,
        }
    }

    fn stem(&self) -> Conv {
        Conv::new(self.input.0[0], self.initial, 3)
    }

    /// Channels entering dense layer `l` of a block that starts with `c` channels.
    fn width(&self, c: usize, l: usize) -> usize {
        c + l * self.growth
    }

    fn features(&self) -> usize {
        self.initial + STAGES * self.layers * self.growth
    }

    /// Walk the network: every conv (name, shape, input size) and every ReLU site, in order.
    fn walk(&self) -> (Vec<ConvAt>, Vec<Site>) {
        let [_, mut h, mut w] = self.input.0;
        let mut convs = vec![ConvAt {
            name: "conv".into(),
            conv: self.stem(),
            size: [h, w],
        }];
        let mut sites = Vec::new();
        let mut parts = vec![(0, "conv".to_string(), self.initial)];
        let mut c = self.initial;
        for s in 0..STAGES {
            for l in 0..self.layers {
                let name = format!("stages.{s}.layers.{l}");
                sites.push(Site {
                    name: name.clone(),
                    size: [h, w],
                    parts: parts.clone(),
                });
                parts.push((convs.len(), format!("{name}.conv"), self.growth));
                convs.push(ConvAt {
                    name: format!("{name}.conv"),
                    conv: Conv::new(self.width(c, l), self.growth, 3),
                    size: [h, w],
                });
            }
            c = self.width(c, self.layers);
            if s + 1 < STAGES {
                let name = format!("stages.{s}.transition");
                sites.push(Site {
                    name: name.clone(),
                    size: [h, w],
                    parts,
                });
                parts = vec![(convs.len(), format!("{name}.conv"), c)];
                convs.push(ConvAt {
                    name: format!("{name}.conv"),
                    conv: Conv::new(c, c, 1),
                    size: [h, w],
                });
                (h, w) = (pooled(h, 2, 2, 0), pooled(w, 2, 2, 0));
            }
        }
        sites.push(Site {
            name: "final".into(),
            size: [h, w],
            parts,
        });
        (convs, sites)
    }

    pub fn costs(&self) -> Vec<LayerCost> {
        let (convs, _) = self.walk();
        let mut out = Vec::new();
        for ConvAt { name, conv, size } in convs {
            if let Some(site) = name.strip_suffix(".conv") {
                out.push(macs::norm(format!("{site}.bn"), conv.c_in));
            }
            out.push(conv.cost(name, size));
        }
        out.push(macs::norm("bn", self.features()));
        out.push(macs::linear("fc", self.features(), self.classes, true, 1));
        out
    }

    /// One [`UnitLayer`] per part of every ReLU's input, in forward order (see the module doc);
    /// kernels are numbered in model order: stem conv, the dense layers and transition of each
    /// block, fc.
    pub fn units(&self) -> Vec<UnitLayer> {
        let (_, sites) = self.walk();
        sites
            .into_iter()
            .flat_map(|site| {
                let [h, w] = site.size;
                site.parts
                    .into_iter()
                    .map(move |(kernel, source, channels)| {
                        UnitLayer::fed_by(
                            format!("{}.relu[{source}]", site.name),
                            channels,
                            h * w,
                            vec![kernel],
                        )
                    })
            })
            .collect()
    }
}

/// BN-ReLU-conv, used by dense layers (conv3×3, `growth` outputs) and transitions (conv1×1).
#[derive(Module, Debug)]
pub struct Composite {
    bn: BatchNorm,
    conv: Conv2d,
}

impl Composite {
    fn new(c: Conv, device: &Device) -> Self {
        Self {
            bn: bn(c.c_in, device),
            conv: conv(c, device),
        }
    }

    fn forward(&self, x: Tensor<4>, parts: &[usize], probe: &mut Probe) -> Tensor<4> {
        self.conv.apply(probe.relu_parts(self.bn.apply(x), parts))
    }
}

#[derive(Module, Debug)]
pub struct Stage {
    layers: Vec<Composite>,
    transition: Option<Composite>,
}

#[derive(Module, Debug)]
pub struct Densenet {
    conv: Conv2d,
    stages: Vec<Stage>,
    bn: BatchNorm,
    pool: AvgPool2d,
    gap: AdaptiveAvgPool2d,
    fc: Linear,
    #[module(skip)]
    plan: DensenetPlan,
}

impl Densenet {
    /// DenseNet-40 (k = 12).
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        Self::from_plan(DensenetPlan::densenet40(input, classes), device)
    }

    pub fn from_plan(plan: DensenetPlan, device: &Device) -> Self {
        let mut c = plan.initial;
        let stages = (0..STAGES)
            .map(|s| {
                let layers = (0..plan.layers)
                    .map(|l| Composite::new(Conv::new(plan.width(c, l), plan.growth, 3), device))
                    .collect();
                c = plan.width(c, plan.layers);
                Stage {
                    layers,
                    transition: (s + 1 < STAGES)
                        .then(|| Composite::new(Conv::new(c, c, 1), device)),
                }
            })
            .collect();
        Self {
            conv: conv(plan.stem(), device),
            stages,
            bn: bn(plan.features(), device),
            pool: AvgPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: LinearConfig::new(plan.features(), plan.classes).init(device),
            plan,
        }
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let mut x = self.conv.apply(x);
        let mut parts = vec![self.plan.initial];
        for stage in &self.stages {
            for layer in &stage.layers {
                let y = layer.forward(x.clone(), &parts, probe);
                x = Tensor::cat(vec![x, y], 1);
                parts.push(self.plan.growth);
            }
            if let Some(t) = &stage.transition {
                x = self.pool.forward(t.forward(x, &parts, probe));
                parts = vec![x.dims()[1]];
            }
        }
        let x = probe.relu_parts(self.bn.apply(x), &parts);
        self.fc.forward(self.gap.forward(x).flatten(1, 3))
    }

    pub fn units(&self) -> Vec<UnitLayer> {
        self.plan.units()
    }
}
