//! Dead Neuron Rate (AP paper, eq. 1–2) from zero counts gathered on the device.
//!
//! A ReLU unit — a linear neuron, or one channel×position of a conv output — is *dead* on a
//! sample when its post-ReLU output is exactly 0. DNR is the mean over samples of
//! dead units / all units of the unpruned net. A dead unit is *static* when every incoming kernel
//! weight of its neuron/filter is pruned (it can never fire from its weights again), *dynamic*
//! otherwise. Units never disappear under unstructured pruning, so "all units of the unpruned
//! net" is simply all units.
//!
//! Since static-ness is a property of a whole filter, the device only needs to count zeros per
//! channel (summed over positions and samples): `dead[c]` below. The same counts give the
//! activation density of the activation-density paper (AE = 1 − DNR of the layer).

use serde::{Deserialize, Serialize};

use crate::mask::{Layer, Masks};

/// A counted ReLU layer: `channels × positions` units (positions = 1 for linear layers, H·W for
/// conv). Two facts about channel `c` are kept apart:
/// - *which rows feed it*: row `c` of every kernel in `incoming` (indices into the prunable
///   layers) — what AP-output reads ([`row_dead_rate`]);
/// - *whether pruning can silence it*: only when every row in `incoming` is fully pruned **and**
///   the unit has no weightless input path (`identity_path`: an identity shortcut adds the block's
///   input to it). A unit with an identity path, or with nothing in `incoming`, is never static.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitLayer {
    pub name: String,
    pub channels: usize,
    pub positions: usize,
    pub incoming: Vec<usize>,
    #[serde(default)]
    pub identity_path: bool,
}

impl UnitLayer {
    /// A ReLU layer fed only by row `c` of the kernels in `incoming` (no identity path).
    pub fn fed_by(
        name: impl Into<String>,
        channels: usize,
        positions: usize,
        incoming: Vec<usize>,
    ) -> Self {
        Self {
            name: name.into(),
            channels,
            positions,
            incoming,
            identity_path: false,
        }
    }

    /// The same layer with an identity shortcut summed into its input: never static.
    pub fn with_identity_path(self) -> Self {
        Self {
            identity_path: true,
            ..self
        }
    }

    pub fn units(&self) -> usize {
        self.channels * self.positions
    }

    /// Whether channel `c` is silenced by the masks alone (static-dead when dead, eq. 1–2).
    pub fn is_static(&self, c: usize, prunable: &[Layer], masks: &Masks) -> bool {
        !self.identity_path
            && !self.incoming.is_empty()
            && self
                .incoming
                .iter()
                .all(|&l| masks.row_pruned(prunable, l, c))
    }
}

/// Zero counts per counted layer and channel, summed over `samples` samples and all positions;
/// `maps` (empty unless counted, as in evaluation) holds per layer and channel the samples on which
/// the channel's whole feature map was dead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZeroCounts {
    pub samples: u64,
    pub dead: Vec<Vec<u64>>,
    #[serde(default)]
    pub maps: Vec<Vec<u64>>,
}

/// DNR of one layer, as fractions of that layer's units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerDnr {
    pub layer: String,
    pub units: usize,
    #[serde(rename = "static")]
    pub static_: f64,
    pub dynamic: f64,
}

/// Whole-net DNR (fractions of all units of the net) and its per-layer breakdown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dnr {
    #[serde(rename = "static")]
    pub static_: f64,
    pub dynamic: f64,
    pub per_layer: Vec<LayerDnr>,
}

/// Eq. 1–2: split each layer's dead units into static and dynamic and average over samples.
/// A unit is one channel at one position (`dnr_unit = "position"`).
pub fn dnr(units: &[UnitLayer], prunable: &[Layer], masks: &Masks, counts: &ZeroCounts) -> Dnr {
    split(
        units,
        prunable,
        masks,
        counts.samples,
        &counts.dead,
        UnitLayer::units,
    )
}

/// Eq. 1–2 with one unit per channel (`dnr_unit = "channel"`): a conv channel is dead on a sample
/// when its whole feature map is 0 there; linear layers count as in [`dnr`]. `None` when the
/// whole-map counts were not gathered.
pub fn dnr_channel(
    units: &[UnitLayer],
    prunable: &[Layer],
    masks: &Masks,
    counts: &ZeroCounts,
) -> Option<Dnr> {
    (counts.maps.len() == units.len() && !units.is_empty()).then(|| {
        split(units, prunable, masks, counts.samples, &counts.maps, |u| {
            u.channels
        })
    })
}

/// Static / dynamic split of dead counts `dead[layer][channel]`, each layer counting `size(unit)`
/// units per sample.
fn split(
    units: &[UnitLayer],
    prunable: &[Layer],
    masks: &Masks,
    samples: u64,
    dead: &[Vec<u64>],
    size: impl Fn(&UnitLayer) -> usize,
) -> Dnr {
    let samples = samples.max(1) as f64;
    let mut total = (0.0, 0.0, 0usize);
    let per_layer = units
        .iter()
        .zip(dead)
        .map(|(unit, dead)| {
            let (mut stat, mut dynamic) = (0u64, 0u64);
            for (c, &d) in dead.iter().enumerate() {
                if unit.is_static(c, prunable, masks) {
                    stat += d
                } else {
                    dynamic += d
                }
            }
            total.0 += stat as f64;
            total.1 += dynamic as f64;
            total.2 += size(unit);
            let denom = samples * size(unit).max(1) as f64;
            LayerDnr {
                layer: unit.name.clone(),
                units: size(unit),
                static_: stat as f64 / denom,
                dynamic: dynamic as f64 / denom,
            }
        })
        .collect();
    let denom = samples * total.2.max(1) as f64;
    Dnr {
        static_: total.0 / denom,
        dynamic: total.1 / denom,
        per_layer,
    }
}

/// Per-row dead rate: for every prunable kernel `l` (model order, like `layers`) and each of its
/// rows (output neuron / filter `j`), the fraction of observations on which the ReLU unit(s) that
/// row feeds were dead. Kernel `l` feeds a counted layer `U` when `U.incoming` contains `l`, and row
/// `j` feeds channel `j` of `U`; an observation is one sample at one position, so a channel of `U`
/// contributes `dead[U][j]` zeros out of `samples · U.positions`. When a kernel feeds several
/// counted layers their zeros and observations are pooled.
///
/// Rows feeding a ReLU that also has an identity path count too: they are the only weights of
/// that neuron, and pruning their negative entries raises its pre-activation all the same.
///
/// `None` for rows that feed no counted ReLU (the classifier; a channel index beyond `U.channels`)
/// and for every row when nothing was observed (`samples == 0`). Rates lie in [0, 1], never NaN.
/// Used by AP-output (AP paper, §4.4) to locate dead neurons by their outputs.
pub fn row_dead_rate(
    units: &[UnitLayer],
    layers: &[Layer],
    zeros: &ZeroCounts,
) -> Vec<Vec<Option<f32>>> {
    layers
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            (0..layer.outputs())
                .map(|j| {
                    let (mut dead, mut seen) = (0u64, 0u64);
                    for (unit, counts) in units.iter().zip(&zeros.dead) {
                        if j < unit.channels
                            && unit.incoming.contains(&l)
                            && let Some(&d) = counts.get(j)
                        {
                            dead += d;
                            seen += zeros.samples * unit.positions as u64;
                        }
                    }
                    (seen > 0).then(|| (dead as f64 / seen as f64).min(1.0) as f32)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-computed net: x ∈ R², fc1 (3×2) → ReLU → fc2 (2×3) → ReLU, zero biases.
    /// fc1 rows: [1, 1] (alive), [-1, 0] (alive), [0, 0] with both weights pruned.
    /// Samples x = (1, 2) and (0, 1):
    ///   fc1 pre-act: (3, -1, 0) and (1, 0, 0) → dead: unit1, unit2 | unit1, unit2
    ///   unit 2 is static (row fully pruned), unit 1 dynamic.
    /// fc2 rows: [1, 0, 0], [-1, 0, 0]; post fc1 = (3,0,0), (1,0,0) → fc2 pre (3,-3), (1,-1):
    ///   unit 1 dead on both samples, dynamic.
    #[test]
    fn hand_computed_net() {
        let prunable = [
            Layer::new("fc1.weight", &[3, 2]),
            Layer::new("fc2.weight", &[2, 3]),
        ];
        let mut masks = Masks::dense(&prunable);
        masks.keep[0][4] = false;
        masks.keep[0][5] = false;
        let units = [
            UnitLayer::fed_by("fc1", 3, 1, vec![0]),
            UnitLayer::fed_by("fc2", 2, 1, vec![1]),
        ];
        let counts = ZeroCounts {
            samples: 2,
            dead: vec![vec![0, 2, 2], vec![0, 2]],
            ..Default::default()
        };
        let d = dnr(&units, &prunable, &masks, &counts);
        // fc1: static 2 of 6 unit-samples, dynamic 2 of 6; fc2: dynamic 2 of 4.
        assert!((d.per_layer[0].static_ - 2.0 / 6.0).abs() < 1e-12);
        assert!((d.per_layer[0].dynamic - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(d.per_layer[1].static_, 0.0);
        assert!((d.per_layer[1].dynamic - 0.5).abs() < 1e-12);
        // whole net: 5 units × 2 samples = 10; static 2, dynamic 4
        assert!((d.static_ - 0.2).abs() < 1e-12);
        assert!((d.dynamic - 0.4).abs() < 1e-12);
    }

    /// The same conv layer by channel: filter 1 (pruned) had a dead map on both samples, filter
    /// 0 on one; 2 channels × 2 samples = 4 units·samples: static 2/4, dynamic 1/4. Without map
    /// counts there is no channel DNR.
    #[test]
    fn channel_units() {
        let prunable = [Layer::new("conv.weight", &[2, 1, 3, 3])];
        let mut masks = Masks::dense(&prunable);
        masks.keep[0][9..18].iter_mut().for_each(|b| *b = false);
        let conv = UnitLayer::fed_by("conv", 2, 4, vec![0]);
        let mut counts = ZeroCounts {
            samples: 2,
            dead: vec![vec![5, 8]],
            maps: vec![vec![1, 2]],
        };
        let d = dnr_channel(std::slice::from_ref(&conv), &prunable, &masks, &counts).expect("maps");
        assert_eq!((d.static_, d.dynamic), (0.5, 0.25));
        assert_eq!(d.per_layer[0].units, 2);
        let p = dnr(std::slice::from_ref(&conv), &prunable, &masks, &counts);
        assert_eq!((p.static_, p.dynamic), (0.5, 5.0 / 16.0));
        counts.maps.clear();
        assert!(dnr_channel(&[conv], &prunable, &masks, &counts).is_none());
    }

    #[test]
    fn conv_positions_and_unprunable_paths() {
        let prunable = [Layer::new("conv.weight", &[2, 1, 3, 3])];
        let mut masks = Masks::dense(&prunable);
        masks.keep[0][9..18].iter_mut().for_each(|b| *b = false);
        let conv = UnitLayer::fed_by("conv", 2, 4, vec![0]);
        let add = UnitLayer::fed_by("add", 2, 4, vec![]);
        let counts = ZeroCounts {
            samples: 1,
            dead: vec![vec![1, 4], vec![0, 4]],
            ..Default::default()
        };
        let d = dnr(&[conv, add], &prunable, &masks, &counts);
        assert_eq!(d.per_layer[0].static_, 0.5);
        assert_eq!(d.per_layer[0].dynamic, 1.0 / 8.0);
        assert_eq!(d.per_layer[1].static_, 0.0);
        assert_eq!(d.per_layer[1].dynamic, 0.5);
    }

    /// A ReLU behind an identity shortcut, fed by conv row 1 alone: with that row fully pruned its
    /// zeros stay dynamic, yet its rows keep a dead rate, so AP-output can still choose them.
    #[test]
    fn identity_path_feeds_rows_but_is_never_static() {
        let prunable = [Layer::new("conv2.weight", &[2, 1, 1, 1])];
        let mut masks = Masks::dense(&prunable);
        masks.keep[0][1] = false;
        let sum = UnitLayer::fed_by("relu2", 2, 1, vec![0]).with_identity_path();
        let zeros = ZeroCounts {
            samples: 2,
            dead: vec![vec![0, 2]],
            ..Default::default()
        };
        assert!(!sum.is_static(1, &prunable, &masks));
        let d = dnr(std::slice::from_ref(&sum), &prunable, &masks, &zeros);
        assert_eq!((d.static_, d.dynamic), (0.0, 0.5));
        let plain = UnitLayer::fed_by("relu2", 2, 1, vec![0]);
        assert_eq!(dnr(&[plain], &prunable, &masks, &zeros).static_, 0.5);
        let rates = row_dead_rate(&[sum], &prunable, &zeros);
        assert_eq!(rates[0], vec![Some(0.0), Some(1.0)]);
    }

    /// fc1 [3,2] feeds `fc1` (3 channels, 1 position); the classifier fc2 [2,3] feeds nothing.
    /// conv [2,1,3,3] feeds two counted layers (its own ReLU with 4 positions and a pooled sum with
    /// 1 position): filter 0 has 1 + 1 zeros of 2·4 + 2·1 = 10 observations, filter 1 has 8 + 2.
    #[test]
    fn row_dead_rates() {
        let layers = [
            Layer::new("fc1.weight", &[3, 2]),
            Layer::new("fc2.weight", &[2, 3]),
            Layer::new("conv.weight", &[2, 1, 3, 3]),
        ];
        let units = [
            UnitLayer::fed_by("fc1", 3, 1, vec![0]),
            UnitLayer::fed_by("conv", 2, 4, vec![2]),
            UnitLayer::fed_by("sum", 2, 1, vec![2]),
            UnitLayer::fed_by("identity", 2, 1, vec![]),
        ];
        let zeros = ZeroCounts {
            samples: 2,
            dead: vec![vec![0, 1, 2], vec![1, 8], vec![1, 2], vec![2, 2]],
            ..Default::default()
        };
        let r = row_dead_rate(&units, &layers, &zeros);
        assert_eq!(r[0], vec![Some(0.0), Some(0.5), Some(1.0)]);
        assert_eq!(r[1], vec![None, None]);
        assert_eq!(r[2], vec![Some(0.2), Some(1.0)]);
        let nothing_seen = row_dead_rate(
            &units,
            &layers,
            &ZeroCounts {
                samples: 0,
                dead: zeros.dead.clone(),
                ..Default::default()
            },
        );
        assert!(nothing_seen.iter().flatten().all(Option::is_none));
    }
}
