//! SGD with momentum and weight decay, PyTorch semantics (no dampening):
//! g ← ∇θ + wd·θ;  v ← μ·v + g (v ← g on the first step);  θ ← (θ − lr·v) ⊙ mask.
//! The mask multiply in the same step keeps pruned weights at exactly zero after every update.
//! Weight decay skips BatchNorm γ/β (they are not weights to shrink).
//! On the wgpu backend the whole update is one WGSL pass (`shaders/sgd_masked.wgsl`); elsewhere,
//! or with the kernels switched off, it is burn's element-wise operations.

use std::collections::HashMap;

use burn::module::{ModuleMapper, Param, ParamId};
use burn::prelude::*;
use burn::tensor::Gradients;
use prunelab_kernels::SgdParams;
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
            let Some(grad) = theta.grad(self.grads) else {
                return theta;
            };
            let dims = theta.dims();
            let n = dims.iter().product::<usize>();
            let w: Tensor<1> = theta.inner().reshape([n]);
            let g: Tensor<1> = grad.reshape([n]);
            let decay = self.sgd.weight_decay > 0.0 && self.roles.get(&id) != Some(&Role::Norm);
            let weight_decay = if decay { self.sgd.weight_decay } else { 0.0 };
            let velocity = self
                .velocity
                .remove(&id)
                .filter(|_| self.sgd.momentum > 0.0);
            let mask = self.masks.get(&id);
            let params = SgdParams {
                lr: self.sgd.lr as f32,
                momentum: self.sgd.momentum as f32,
                weight_decay: weight_decay as f32,
            };
            let (next, v) =
                match prunelab_kernels::sgd_masked(&w, &g, velocity.as_ref(), mask, params) {
                    Some(fused) => fused,
                    None => self.sgd.update(w, g, velocity, mask, weight_decay),
                };
            if self.sgd.momentum > 0.0 {
                self.velocity.insert(id, v);
            }
            Tensor::from_inner(next.reshape(dims)).require_grad()
        })
    }
}

impl Sgd {
    /// (θ', v) by burn's element-wise operations: the formula of the module docs.
    fn update(
        &self,
        w: Tensor<1>,
        mut g: Tensor<1>,
        velocity: Option<Tensor<1>>,
        mask: Option<&Tensor<1>>,
        weight_decay: f64,
    ) -> (Tensor<1>, Tensor<1>) {
        if weight_decay > 0.0 {
            g = g + w.clone() * weight_decay;
        }
        let v = match velocity {
            Some(v) => v * self.momentum + g,
            None => g,
        };
        let mut next = w - v.clone() * self.lr;
        if let Some(mask) = mask {
            next = next * mask.clone();
        }
        (next, v)
    }

    /// One optimiser step over every trainable tensor of `net`, masks re-applied.
    pub fn step(&self, net: &mut NetState, grads: &Gradients, roles: &HashMap<ParamId, Role>) {
        let mut step = Step {
            sgd: self,
            grads,
            roles,
            masks: &net.device_masks,
            velocity: &mut net.velocity,
        };
        net.model = net.model.clone().map(&mut step);
    }
}
