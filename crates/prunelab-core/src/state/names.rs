//! The named choices of an experiment (URL / TOML values), one enum each.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::StateError;

macro_rules! names {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident = $name:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $ty { $($(#[$vdoc])* #[serde(rename = $name)] $variant),+ }

        impl $ty {
            pub const ALL: &[$ty] = &[$($ty::$variant),+];
            /// The names of [`Self::ALL`], as written in a URL or a config.
            pub const NAMES: &[&str] = &[$($name),+];
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
            pub(crate) fn parse(key: &str, value: &str) -> Result<Self, StateError> {
                Self::ALL.iter().copied().find(|v| v.name() == value).ok_or_else(|| StateError::Unknown {
                    key: key.to_string(),
                    value: value.to_string(),
                    expected: Self::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
                })
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.name()) }
        }
    };
}

names!(
    /// Network architecture.
    Model {
        /// LeNet-300-100 (MNIST).
        Lenet300 = "lenet300",
        /// A small two-conv CNN.
        Cnn = "cnn",
        /// CIFAR ResNet-20 (He et al. 2016, OpenLTH's `cifar_resnet_20`).
        Resnet20 = "resnet20",
        /// CIFAR ResNet-56, the same family with 9 blocks per stage.
        Resnet56 = "resnet56",
        /// VGG-19 with BatchNorm for CIFAR (OpenLTH's `cifar_vgg_19`).
        Vgg19 = "vgg19",
        /// DenseNet-40, growth rate 12 (Huang et al. 2017).
        Densenet40 = "densenet40",
        /// MobileNetV2 for CIFAR (Sandler et al. 2018; kuangliu/pytorch-cifar's strides).
        Mobilenetv2 = "mobilenetv2",
        /// ResNet-18 for CIFAR (kuangliu/pytorch-cifar; the activation-density paper's Table I).
        Resnet18 = "resnet18",
        /// ResNet-50 for ImageNet (torchvision's `resnet50`).
        Resnet50 = "resnet50",
        /// ViT-B/16 (Dosovitskiy et al. 2021; torchvision's `vit_b_16`).
        VitB16 = "vit-b16",
    }
);
names!(
    /// Dataset.
    Data {
        Mnist = "mnist",
        Cifar10 = "cifar10",
        Cifar100 = "cifar100",
        /// 200 classes of 64×64 RGB, held in memory.
        TinyImagenet = "tinyimagenet",
        /// ILSVRC-2012 as a folder tree, streamed (`prunelab_data::ImageFolder`).
        Imagenet = "imagenet",
    }
);
names!(
    /// Base pruning method X of Algorithm 2 (see `criterion`), or `density`: structured
    /// activation-density pruning in training, which replaces the AP cycles altogether.
    Method {
        /// Global Magnitude: smallest |θ| over all layers.
        Gm = "gm",
        /// Global Taylor: smallest |θ·∂L/∂θ|, gradient accumulated over `taylor_batches`.
        Taylor = "taylor",
        /// Layer-Adaptive Magnitude Pruning (Lee et al. 2021).
        Lamp = "lamp",
        /// Lookahead Pruning (Park et al. 2020).
        Lap = "lap",
        /// Iterative Magnitude Pruning (Frankle & Carbin 2019): layer-wise or global (`imp_scope`).
        Imp = "imp",
        /// Uniformly random surviving weights.
        Random = "random",
        /// SNIP (Lee et al. 2019): |θ·g| at the rewind point, on `snip_batches` batches.
        Snip = "snip",
        /// Structured: whole filters with the smallest L1 norm, per layer (Li et al. 2017).
        L1Channel = "l1-channel",
        /// Structured: whole filters with the smallest L2 norm, per layer.
        L2Channel = "l2-channel",
        /// Activation-density pruning in training (Foldy-Porto et al., Algorithm 1): each net is
        /// trained to the AE saturation point ρ, then rebuilt with `round(AE × width)` channels per
        /// layer, until δ (`prunelab_core::density`).
        Density = "density",
    }
);
names!(
    /// Activate-while-Pruning variant joining the base method (AP paper §3–4).
    Ap {
        None = "none",
        /// AP step only in the last pruning cycle.
        Lite = "lite",
        /// AP step in every pruning cycle.
        Pro = "pro",
        /// Ablation: the AP metric replaces the base method (AP-SOLO, Tables 7–9).
        Solo = "solo",
        /// Ablation: no weight rewinding; survivors keep θ* and the LR schedule restarts (Tables 7–9).
        NoWr = "no-wr",
        /// Substitution: dead neurons located by observed post-ReLU output (Tables 10–11).
        Output = "output",
        /// Substitution: add `ap_bias_k` to the bias of located dead neurons instead of pruning.
        Bias = "bias",
    }
);
names!(
    /// When the AP step of `solo`, `no-wr`, `output` and `bias` runs: every cycle (as AP-Pro) or
    /// only in the last one (as AP-Lite).
    ApTiming { Pro = "pro", Lite = "lite" }
);
names!(
    /// The base method's rate before an AP step that runs only in the last pruning (AP-Lite, and
    /// `ap_timing = lite`), with rate r = p and AP rate q, after k prunings.
    LiteLambda {
        /// r − q % in every pruning, q % by AP in the last (Algorithm 2 as written):
        /// λ = (1 − (r − q))^(k−1) · (1 − r).
        Literal = "literal",
        /// r % in the earlier prunings, r − q % in the last, then q % by AP: λ = (1 − r)^k, the
        /// base method's own λ, at which the paper's tables report AP-Lite.
        Baseline = "baseline",
    }
);
names!(
    /// Whether the classifier (the last kernel) is prunable. `false` (OpenLTH's and ShrinkBench's
    /// default) keeps it dense and outside the masks, so λ counts the other kernels only.
    PruneClassifier {
        /// The classifier is pruned like every other kernel (prunelab's default; the AP code's).
        Yes = "true",
        /// The classifier stays dense and is not counted in λ.
        No = "false",
    }
);
names!(
    /// Where a criterion ranks (`imp_scope`, `lap_scope`): within every layer, pruning the same
    /// rate in each, or one ranking over all layers together.
    Scope { Layer = "layer", Global = "global" }
);
names!(
    /// How sparsity grows: p % per cycle, one pruning to `target`, or Zhu & Gupta's cubic ramp.
    Schedule { Iterative = "iterative", OneShot = "one-shot", Gradual = "gradual" }
);
names!(
    /// What survivors restart from after a pruning step (survey §retraining; Renda et al. 2020).
    Retrain {
        /// Weights and LR schedule back to iteration `rewind_iteration` (0 = θ0, AP paper Algo 2).
        WeightRewind = "weight-rewind",
        /// Weights stay at θ*, the LR schedule replays from the start.
        LrRewind = "lr-rewind",
        /// Weights stay at θ*, constant `finetune_lr`.
        FineTune = "fine-tune",
        /// Survivors get a fresh seeded He initialisation every cycle, which is that cycle's θ0
        /// (AP paper Algorithm 2, "Randomly initialize unpruned weights"; the authors' code's
        /// default `--prune_type reinit`); the full LR schedule replays.
        Reinit = "reinit",
    }
);
names!(
    /// Activation-sparsity baseline added to the loss with a negative sign (AP paper Tables 14–15).
    ActReg { None = "none", Hoyer = "hoyer", L1 = "l1" }
);
names!(
    /// A named set of defaults for the training protocol; explicit keys override it.
    Recipe {
        /// prunelab's quick defaults (constant LR, small runs).
        Custom = "custom",
        /// AP paper §3.1/§4.1: SGD 0.9, wd 1e-4, batch 128, 100 epochs, warm-up to 0.03, ÷10 at 55/70.
        ApPaper = "ap-paper",
    }
);
names!(
    /// How `method = density` starts net[i+1]: freshly initialised (the paper's choice, Algorithm 1
    /// line 8) or from a random subset of net[i]'s trained filters (`density::inherit`).
    DensityInit { Fresh = "fresh", Inherit = "inherit" }
);
names!(
    /// The samples a cycle's DNR averages over (AP paper, eq. 1: the *training* samples of the
    /// converged net): the training split, evaluated in inference mode without augmentation, or
    /// the test split (prunelab before `dnr_split` existed).
    DnrSplit { Train = "train", Test = "test" }
);
names!(
    /// What one DNR unit is (AP paper, eq. 1 counts "neurons"): one channel at one position of a
    /// conv output (every activation value), or one channel, dead on a sample when its whole
    /// feature map is 0. Linear layers count neurons either way.
    DnrUnit { Position = "position", Channel = "channel" }
);
names!(
    /// How Global Taylor turns the per-batch gradients g_b at θ* into a weight's score.
    Taylor {
        /// |θ · Σ_b g_b|: the gradient summed over the batches first (prunelab before the key;
        /// over a whole epoch at a converged θ* the sum mostly cancels).
        Sum = "sum",
        /// mean_b |θ · g_b| (Blalock et al. 2020's ShrinkBench, which the AP paper follows, scores
        /// |θ · g| of one batch: `taylor_batches = 1`, where every form is the same ranking).
        BatchAbs = "batch-abs",
        /// mean_b (θ · g_b)² (Molchanov et al. 2019, eq. 8's weight form).
        BatchSq = "batch-sq",
    }
);
