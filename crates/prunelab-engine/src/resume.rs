//! Exact resume: everything a run needs to go on from the end of an epoch (or the start of a
//! cycle) as if it had never stopped — weights and BN statistics, masks, the rewind point, the
//! optimiser's momentum, the LR-schedule position (steps done), the early-stop record, the results
//! so far, and the data-order position. The data order and every other random choice is drawn
//! from streams keyed by (seed, cycle, epoch), so the position alone restores the RNG.
//!
//! A snapshot is a safetensors file: `<param>` (current values), `<param>_init` (rewind point),
//! `<param>_mask` (kernels), `<param>_velocity` (momentum, burn's own layout, flat), and the
//! metadata `prunelab_resume` (format version), `experiment` (the run's URL hash, which must
//! match) and `progress` (JSON of [`Progress`]).

use std::collections::BTreeSet;

use burn::prelude::*;
use burn::tensor::TensorData;
use prunelab_core::Masks;
use prunelab_core::report::{CycleEntry, NetEntry};
use serde::{Deserialize, Serialize};

use crate::train::EpochStats;
use crate::{Checkpoint, EngineError, NetState};

/// Snapshot format version; a file of another version is refused.
const FORMAT: &str = "1";

/// Where a run stands, apart from its tensors.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The cycle being trained and how many of its epochs are done.
    pub cycle: u32,
    pub epoch: u32,
    /// Optimiser steps done in this cycle's training: the LR-schedule position.
    pub step: u64,
    /// λ when the cycle started.
    pub start: f64,
    /// Early stopping so far: (best validation accuracy, test accuracy then, epoch).
    pub best: Option<(f64, f64, u32)>,
    /// The last finished epoch's training statistics (AP-output reads its zero counts).
    pub last: Option<EpochStats>,
    /// Neurons whose bias AP-bias has raised: (kernel, row).
    pub boosted: BTreeSet<(usize, usize)>,
    /// Weights the gradual schedule removed in this cycle so far.
    pub gradual_pruned: usize,
    /// The finished cycles.
    pub entries: Vec<CycleEntry>,
    /// `method = density`: the finished nets and the one in training (`cycle` is its index).
    #[serde(default)]
    pub density: Option<DensityProgress>,
}

/// Where an activation-density run stands: the nets done, the widths of the net being trained
/// and its AE curve so far (total and per layer, one entry per epoch trained).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DensityProgress {
    pub nets: Vec<NetEntry>,
    pub widths: Vec<usize>,
    pub ae: Vec<f64>,
    pub layer_ae: Vec<Vec<f64>>,
}

/// The state of a run between two epochs.
pub struct Snapshot {
    pub progress: Progress,
    /// Name, PyTorch shape and whether it is masked, of every float tensor, in model order.
    tensors: Vec<(String, Vec<usize>, bool)>,
    /// Every float tensor (PyTorch layout, as [`NetState::read`]).
    values: Vec<Vec<f32>>,
    /// Momentum per tensor, where the optimiser holds one.
    velocity: Vec<Option<Vec<f32>>>,
    masks: Masks,
    rewind_point: Vec<Vec<f32>>,
}

impl Snapshot {
    /// Read the state of `net` (one device read for the values, one for the momentum).
    pub(crate) async fn take(
        net: &NetState,
        progress: &Progress,
        rewind_point: &[Vec<f32>],
    ) -> Result<Self, EngineError> {
        let values = net.read().await?;
        let held: Vec<(usize, Tensor<1>)> = net
            .infos
            .iter()
            .enumerate()
            .filter_map(|(i, info)| net.velocity.get(&info.id).map(|v| (i, v.clone())))
            .collect();
        let mut velocity = vec![None; net.infos.len()];
        if !held.is_empty() {
            let lens: Vec<usize> = held.iter().map(|(_, v)| v.dims()[0]).collect();
            let flat = Tensor::cat(held.iter().map(|(_, v)| v.clone()).collect(), 0);
            let flat: Vec<f32> = flat
                .into_data_async()
                .await
                .map_err(EngineError::device)?
                .convert::<f32>()
                .try_into_vec()
                .map_err(EngineError::device)?;
            let mut at = 0;
            for ((i, _), len) in held.iter().zip(lens) {
                velocity[*i] = Some(flat[at..at + len].to_vec());
                at += len;
            }
        }
        let tensors = layout(net);
        Ok(Self {
            progress: progress.clone(),
            tensors,
            values,
            velocity,
            masks: net.masks.clone(),
            rewind_point: rewind_point.to_vec(),
        })
    }

    /// Put the snapshot's tensors into `net` (built for the same experiment); returns the rewind point.
    pub(crate) fn restore(self, net: &mut NetState) -> Vec<Vec<f32>> {
        net.masks = self.masks;
        net.load(&self.values);
        let plain = net.device.clone().inner();
        net.velocity = net
            .infos
            .iter()
            .zip(self.velocity)
            .filter_map(|(info, v)| {
                v.map(|v| {
                    (
                        info.id,
                        Tensor::from_data(TensorData::new(v, [info.len()]), &plain),
                    )
                })
            })
            .collect();
        self.rewind_point
    }

    /// The snapshot as a safetensors checkpoint of experiment `experiment` (its URL hash).
    pub fn to_checkpoint(&self, experiment: &str) -> Result<Checkpoint, EngineError> {
        let mut ck = Checkpoint::default();
        let mut kernel = 0;
        for (i, (name, shape, masked)) in self.tensors.iter().enumerate() {
            ck.push_f32(name, shape, &self.values[i]);
            ck.push_f32(format!("{name}_init"), shape, &self.rewind_point[i]);
            if *masked {
                ck.push_f32(format!("{name}_mask"), shape, &self.masks.as_f32(kernel));
                kernel += 1;
            }
            if let Some(v) = &self.velocity[i] {
                ck.push_f32(format!("{name}_velocity"), &[v.len()], v);
            }
        }
        let progress = serde_json::to_string(&self.progress)
            .map_err(|e| EngineError::Checkpoint(e.to_string()))?;
        ck.metadata.extend([
            ("prunelab_resume".to_string(), FORMAT.to_string()),
            ("experiment".to_string(), experiment.to_string()),
            ("progress".to_string(), progress),
        ]);
        Ok(ck)
    }

    /// The progress record of a resume file of experiment `experiment` (its URL hash), refusing
    /// one of another format version or another experiment. A density run reads it first, to
    /// build the net of the widths it was training.
    pub(crate) fn progress_of(ck: &Checkpoint, experiment: &str) -> Result<Progress, EngineError> {
        let bad = |m: String| EngineError::Checkpoint(m);
        match ck.metadata.get("prunelab_resume").map(String::as_str) {
            Some(FORMAT) => {}
            Some(v) => {
                return Err(bad(format!(
                    "resume file of format {v}, this prunelab reads format {FORMAT}"
                )));
            }
            None => return Err(bad("not a prunelab resume file".into())),
        }
        if ck.metadata.get("experiment").map(String::as_str) != Some(experiment) {
            return Err(bad("the resume file belongs to another experiment".into()));
        }
        serde_json::from_str(ck.metadata.get("progress").map_or("", String::as_str))
            .map_err(|e| bad(format!("unreadable progress record: {e}")))
    }

    /// Read a snapshot back for `net`, refusing one of another format version, another
    /// experiment (`experiment`: the run's URL hash) or another model.
    pub fn from_checkpoint(
        ck: &Checkpoint,
        net: &NetState,
        experiment: &str,
    ) -> Result<Self, EngineError> {
        let bad = |m: String| EngineError::Checkpoint(m);
        let progress = Self::progress_of(ck, experiment)?;
        let tensor = |name: String, len: usize| -> Result<Vec<f32>, EngineError> {
            match ck.f32(&name) {
                Some((_, v)) if v.len() == len => Ok(v),
                Some((_, v)) => Err(bad(format!(
                    "`{name}` has {} values, the model needs {len}: a checkpoint of another model",
                    v.len()
                ))),
                None => Err(bad(format!(
                    "`{name}` is missing: a checkpoint of another model"
                ))),
            }
        };
        let (mut values, mut rewind_point, mut velocity, mut masks) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, info) in net.infos.iter().enumerate() {
            values.push(tensor(info.name.clone(), info.len())?);
            rewind_point.push(tensor(format!("{}_init", info.name), info.len())?);
            let v = format!("{}_velocity", info.name);
            velocity.push(if ck.f32(&v).is_some() {
                Some(tensor(v, info.len())?)
            } else {
                None
            });
            if net.is_masked(i) {
                masks.push(tensor(format!("{}_mask", info.name), info.len())?);
            }
        }
        Ok(Self {
            progress,
            tensors: layout(net),
            values,
            velocity,
            masks: Masks::from_f32(&masks),
            rewind_point,
        })
    }
}

fn layout(net: &NetState) -> Vec<(String, Vec<usize>, bool)> {
    net.infos
        .iter()
        .enumerate()
        .map(|(p, i)| (i.name.clone(), i.shape.clone(), net.is_masked(p)))
        .collect()
}
