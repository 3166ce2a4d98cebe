//! SGD with momentum and weight decay, PyTorch semantics (no dampening):
//! g ← ∇θ + wd·θ;  v ← μ·v + g (v ← g on the first step);  θ ← (θ − lr·v) ⊙ mask.
//! The mask multiply in the same step keeps pruned weights at exactly zero after every update.
//! Weight decay skips BatchNorm γ/β (they are not weights to shrink).

use std::collections::HashMap;

use burn::module::{ModuleMapper, Param, ParamId};
use burn::prelude::*;
use burn::tensor::Gradients;
use prunelab_models::params::Role;

use crate::state::NetState;

pub struct Sgd {
    pub lr: f64,
    pub momentum: f64,
    pub weight_decay: f64,
}

struct Step<'a> {
    sgd: &'a Sgd,
    grads: &'a Gradients,
    roles: &'a HashMap<ParamId, Role>,
    masks: &'a HashMap<ParamId, Tensor<1>>,
    velocity: &'a mut HashMap<ParamId, Tensor<1>>,
}

impl ModuleMapper for Step<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let id = param.id;
        param.map(|theta| {
            let Some(grad) = theta.grad(self.grads) else { return theta };
            let dims = theta.dims();
            let n = dims.iter().product::<usize>();
            let w: Tensor<1> = theta.inner().reshape([n]);
            let mut g: Tensor<1> = grad.reshape([n]);
            if self.sgd.weight_decay > 0.0 && self.roles.get(&id) != Some(&Role::Norm) {
                g = g + w.clone() * self.sgd.weight_decay;
            }
            let v = match self.velocity.remove(&id) {
                Some(v) if self.sgd.momentum > 0.0 => v * self.sgd.momentum + g,
                _ => g,
            };
            let mut next = w - v.clone() * self.sgd.lr;
            if let Some(mask) = self.masks.get(&id) {
                next = next * mask.clone();
            }
            if self.sgd.momentum > 0.0 {
                self.velocity.insert(id, v);
            }
            Tensor::from_inner(next.reshape(dims)).require_grad()
        })
    }
}

impl Sgd {
    /// One optimiser step over every trainable tensor of `net`, masks re-applied.
    pub fn step(&self, net: &mut NetState, grads: &Gradients, roles: &HashMap<ParamId, Role>) {
        let mut step = Step { sgd: self, grads, roles, masks: &net.device_masks, velocity: &mut net.velocity };
        net.model = net.model.clone().map(&mut step);
    }
}
