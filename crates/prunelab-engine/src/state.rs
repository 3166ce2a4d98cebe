//! The network being pruned: the burn module plus everything pruning keeps beside it — the
//! rewind point θ0, the masks (on the host for selection, on the device for the training step)
//! and the optimiser's momentum.

use std::collections::HashMap;

use burn::module::ParamId;
use burn::prelude::*;
use burn::tensor::TensorData;
use prunelab_core::rng::{Rng, he_normal};
use prunelab_core::state::PruneClassifier;
use prunelab_core::{Experiment, Layer, Masks};
use prunelab_models::params::{self, ParamInfo, Role};
use prunelab_models::{InputShape, Network};

use crate::{Checkpoint, EngineError};

pub struct NetState {
    pub model: Network,
    /// Every float tensor of the model, in model order (PyTorch names and shapes).
    pub infos: Vec<ParamInfo>,
    /// θ0 for every float tensor, PyTorch layout.
    pub theta0: Vec<Vec<f32>>,
    /// Positions in `infos` of the masked kernels: every `Role::Kernel` entry, but the classifier
    /// (the last kernel) when `prune_classifier = false`.
    pub masked: Vec<usize>,
    /// Masks over those kernels, in order.
    pub masks: Masks,
    pub(crate) device_masks: HashMap<ParamId, Tensor<1>>,
    pub(crate) velocity: HashMap<ParamId, Tensor<1>>,
    pub device: Device,
}

/// Random streams of learned embeddings: one per tensor position, apart from the kernels' streams.
const EMBEDDING_STREAMS: u64 = 1 << 48;

/// The initial value of one tensor (He et al. 2015 for kernels; zero biases; BN/LayerNorm γ = 1,
/// β = 0; fresh statistics; as torchvision's ViT, a zero class token and a N(0, 0.02²) position
/// embedding). `kernel` numbers the kernels, `position` every tensor; `draw` numbers the run's
/// independent initialisations, each from its own streams: 0 is θ0; activation-density pruning's
/// net[i] is draw i, and `retrain = "reinit"` draws cycle k's start from draw k.
fn initial(info: &ParamInfo, kernel: u64, position: u64, seed: u64, draw: u32) -> Vec<f32> {
    let fill = |v: f32| vec![v; info.len()];
    let draw = u64::from(draw) << 24;
    match info.role {
        Role::Kernel => he_normal(&mut Rng::new(seed, draw + kernel), &info.shape),
        Role::Embedding if info.name.ends_with("pos_embedding") => {
            let mut rng = Rng::new(seed, EMBEDDING_STREAMS + draw + position);
            (0..info.len())
                .map(|_| (rng.normal() * 0.02) as f32)
                .collect()
        }
        Role::Norm if info.name.ends_with("weight") => fill(1.0),
        Role::Buffer if info.name.ends_with("running_var") => fill(1.0),
        _ => fill(0.0),
    }
}

impl NetState {
    /// Build the model on `device` (autodiff enabled for training) with seeded θ0, all weights alive.
    pub fn new(exp: &Experiment, input: InputShape, classes: usize, device: &Device) -> Self {
        Self::from_model(
            exp,
            Network::new(exp.model, input, classes, device),
            0,
            device,
        )
    }

    /// net[`net`] of activation-density pruning: the model with its resizable layers at `widths`,
    /// freshly initialised (Algorithm 1, line 8) from the streams of that net.
    pub fn resized(
        exp: &Experiment,
        input: InputShape,
        classes: usize,
        widths: &[usize],
        net: u32,
        device: &Device,
    ) -> Result<Self, EngineError> {
        let model = Network::with_widths(exp.model, input, classes, widths, device)
            .map_err(EngineError::Model)?;
        Ok(Self::from_model(exp, model, net, device))
    }

    fn from_model(exp: &Experiment, model: Network, net: u32, device: &Device) -> Self {
        let model = model.train();
        let infos: Vec<ParamInfo> = params::read(&model).into_iter().map(|(i, _)| i).collect();
        let theta0 = Self::draw(&infos, exp.seed, net);
        let mut masked: Vec<usize> = (0..infos.len())
            .filter(|&i| infos[i].role == Role::Kernel)
            .collect();
        if exp.prune_classifier == PruneClassifier::No {
            masked.pop();
        }
        let layers = Self::kernel_layers(&infos, &masked);
        let mut state = Self {
            model,
            infos,
            theta0,
            masked,
            masks: Masks::dense(&layers),
            device_masks: HashMap::new(),
            velocity: HashMap::new(),
            device: device.clone(),
        };
        state.rewind();
        state
    }

    /// Initial values of every tensor in `infos` from initialisation `draw` (see [`initial`]).
    fn draw(infos: &[ParamInfo], seed: u64, draw: u32) -> Vec<Vec<f32>> {
        let mut kernel = 0;
        infos
            .iter()
            .enumerate()
            .map(|(position, info)| {
                kernel += u64::from(info.role == Role::Kernel);
                initial(info, kernel, position as u64, seed, draw)
            })
            .collect()
    }

    /// A fresh initialisation of this net (draw `draw`, unmasked): the start of cycle `draw`
    /// under `retrain = "reinit"` (AP paper, Algorithm 2: "Randomly initialize unpruned weights").
    pub fn reinit_point(&self, exp: &Experiment, draw: u32) -> Vec<Vec<f32>> {
        Self::draw(&self.infos, exp.seed, draw)
    }

    fn kernel_layers(infos: &[ParamInfo], masked: &[usize]) -> Vec<Layer> {
        masked
            .iter()
            .map(|&k| Layer::new(&infos[k].name, &infos[k].shape))
            .collect()
    }

    /// The prunable kernels, as the core crate sees them.
    pub fn layers(&self) -> Vec<Layer> {
        Self::kernel_layers(&self.infos, &self.masked)
    }

    /// Positions of the masked kernels within `infos`.
    pub fn kernel_positions(&self) -> Vec<usize> {
        self.masked.clone()
    }

    /// Whether tensor `position` of `infos` is a masked kernel.
    pub fn is_masked(&self, position: usize) -> bool {
        self.masked.binary_search(&position).is_ok()
    }

    /// Weight rewinding: every tensor back to θ0 (masked kernels stay zero), momentum cleared.
    pub fn rewind(&mut self) {
        let values = self.theta0.clone();
        self.load(&values);
        self.velocity.clear();
    }

    /// Clear the optimiser's momentum (at the start of every retraining).
    pub fn reset_optimizer(&mut self) {
        self.velocity.clear();
    }

    /// Set every float tensor from host values (PyTorch layout), apply the masks and refresh
    /// the device masks. Momentum is kept (masked entries never reach the weights).
    pub fn load(&mut self, values: &[Vec<f32>]) {
        let by_id: HashMap<ParamId, usize> = self
            .infos
            .iter()
            .enumerate()
            .map(|(i, info)| (info.id, i))
            .collect();
        let kernel_of: HashMap<ParamId, usize> = self
            .kernel_positions()
            .iter()
            .enumerate()
            .map(|(k, &i)| (self.infos[i].id, k))
            .collect();
        let device = self.device.clone();
        let plain = device.clone().inner();
        let masks = &self.masks;
        let mut device_masks = HashMap::new();
        self.model = params::update(self.model.clone(), |info, _| {
            let mut v = values[*by_id.get(&info.id)?].clone();
            if let Some(&k) = kernel_of.get(&info.id) {
                let mask = masks.as_f32(k);
                v.iter_mut().zip(&mask).for_each(|(w, m)| *w *= m);
                let flat = Tensor::<1>::from_data(TensorData::new(mask, [info.len()]), &plain);
                device_masks.insert(info.id, params::native_flat(info, flat));
            }
            Some(Tensor::from_data(TensorData::new(v, [info.len()]), &device))
        });
        self.device_masks = device_masks;
    }

    /// Host copy of every float tensor (PyTorch layout) in one device read.
    pub async fn read(&self) -> Result<Vec<Vec<f32>>, EngineError> {
        let flats: Vec<Tensor<1>> = params::read(&self.model)
            .into_iter()
            .map(|(_, t)| t.inner())
            .collect();
        let all = Tensor::cat(flats, 0)
            .into_data_async()
            .await
            .map_err(EngineError::device)?;
        let all: Vec<f32> = all
            .convert::<f32>()
            .try_into_vec()
            .map_err(EngineError::device)?;
        let mut out = Vec::with_capacity(self.infos.len());
        let mut at = 0;
        for info in &self.infos {
            out.push(all[at..at + info.len()].to_vec());
            at += info.len();
        }
        Ok(out)
    }

    /// For each kernel, the position in `infos` of the bias its rows feed: the kernel's own bias,
    /// else the next BatchNorm β of matching length in model order (conv → BN), if any.
    pub fn bias_of_kernels(&self) -> Vec<Option<usize>> {
        self.kernel_positions()
            .into_iter()
            .map(|k| {
                let rows = self.infos[k].shape.first().copied().unwrap_or(0);
                self.infos[k + 1..]
                    .iter()
                    .take_while(|i| i.role != Role::Kernel)
                    .position(|i| {
                        i.name.ends_with("bias")
                            && matches!(i.role, Role::Bias | Role::Norm)
                            && i.len() == rows
                    })
                    .map(|p| k + 1 + p)
            })
            .collect()
    }

    /// Load a cycle checkpoint's θ* and `<param>_mask`, checking names and shapes against
    /// `model` (named in the errors), every value finite and every mask 0/1: what `prunelab dnr`
    /// and the page's dead-unit maps evaluate. A kernel without a mask (a checkpoint pruned by
    /// zeroing, as PyTorch's own) is masked where its weights are exactly zero; returns how many
    /// kernels were.
    pub fn load_checkpoint(&mut self, ck: &Checkpoint, model: &str) -> Result<usize, EngineError> {
        let bad = |m: String| EngineError::Checkpoint(m);
        let (mut values, mut masks, mut derived) = (Vec::new(), Vec::new(), 0);
        for (position, info) in self.infos.iter().enumerate() {
            let (shape, v) = ck.f32(&info.name).ok_or_else(|| {
                bad(format!(
                    "no tensor `{}`: is it a {model} checkpoint?",
                    info.name
                ))
            })?;
            if shape != info.shape {
                return Err(bad(format!(
                    "`{}` has shape {shape:?} in the checkpoint, {:?} in {model}",
                    info.name, info.shape
                )));
            }
            if let Some(x) = v.iter().find(|x| !x.is_finite()) {
                return Err(bad(format!(
                    "`{}` holds {x}: the run that wrote this checkpoint diverged",
                    info.name
                )));
            }
            if self.is_masked(position) {
                let name = format!("{}_mask", info.name);
                let mask = match ck.f32(&name) {
                    Some((s, _)) if s != shape => {
                        return Err(bad(format!("`{name}` has shape {s:?}, not {shape:?}")));
                    }
                    Some((_, m)) => m,
                    None => {
                        derived += 1;
                        v.iter().map(|&x| f32::from(x != 0.0)).collect()
                    }
                };
                if let Some(x) = mask.iter().find(|&&x| x != 0.0 && x != 1.0) {
                    return Err(bad(format!("`{name}` is not a 0/1 mask: it holds {x}")));
                }
                masks.push(mask);
            }
            values.push(v);
        }
        self.masks = Masks::from_f32(&masks);
        self.load(&values);
        Ok(derived)
    }

    /// The kernels among host values from [`NetState::read`].
    pub fn kernels(&self, values: &[Vec<f32>]) -> Vec<Vec<f32>> {
        self.kernel_positions()
            .into_iter()
            .map(|i| values[i].clone())
            .collect()
    }
}
