//! Impossible settings, rejected with a one-line reason before anything runs.

use super::{Ap, Experiment, Method, Retrain, Schedule, StateError};
use crate::density::RESIZABLE;

fn bad<T>(msg: String) -> Result<T, StateError> {
    Err(StateError::Invalid(msg))
}

fn positive(key: &str, value: f64) -> Result<(), StateError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        bad(format!("{key} ({value}) must be positive"))
    }
}

impl Experiment {
    /// Reject impossible settings with a one-line reason.
    pub fn validate(&self) -> Result<(), StateError> {
        if self.method == Method::Density {
            self.validate_density()?;
        } else {
            self.validate_pruning()?;
            self.validate_schedule()?;
        }
        self.validate_training()
    }

    /// `method = density` resizes layers instead of masking weights: the AP keys (`ap`, `p`, `q`,
    /// `cycles`, `schedule`, `target`, `retrain`) do not apply; its own keys must make sense.
    fn validate_density(&self) -> Result<(), StateError> {
        if !RESIZABLE.contains(&self.model) {
            let names: Vec<&str> = RESIZABLE.iter().map(|m| m.name()).collect();
            return bad(format!(
                "method = \"density\" resizes layer widths of {}, not model = \"{}\"",
                names.join(", "),
                self.model
            ));
        }
        if !(self.rho_threshold > 0.0 && self.rho_threshold < 1.0) {
            return bad(format!(
                "rho_threshold ({}) must be in (0, 1): the total-AE change per epoch that counts as saturated",
                self.rho_threshold
            ));
        }
        if self.rho_epochs == 0 || self.rho_epochs >= self.epochs {
            return bad(format!(
                "rho_epochs ({}) must be at least 1 and less than epochs ({}): ρ compares rho_epochs + 1 epochs of AE",
                self.rho_epochs, self.epochs
            ));
        }
        if self.delta_window == 1 || self.delta_window > self.epochs {
            return bad(format!(
                "delta_window ({}) must be 0 (the whole curve) or 2 to epochs ({}): a slope needs two epochs",
                self.delta_window, self.epochs
            ));
        }
        if !self.delta_slope.is_finite() {
            return bad(format!(
                "delta_slope ({}) must be a finite number (AE per epoch)",
                self.delta_slope
            ));
        }
        if !(2..=100).contains(&self.density_nets) {
            return bad(format!(
                "density_nets ({}) must be between 2 and 100: net0 and at least one resized net",
                self.density_nets
            ));
        }
        Ok(())
    }

    fn validate_pruning(&self) -> Result<(), StateError> {
        if self.schedule == Schedule::Iterative && !(self.p > 0.0 && self.p < 100.0) {
            return bad(format!(
                "p ({}) must be in (0, 100): the percent of surviving weights pruned per cycle",
                self.p
            ));
        }
        let q = self.q_percent();
        if self.ap != Ap::None && !(q >= 0.0 && q <= self.p) {
            return bad(format!("q ({q}) must be between 0 and p ({})", self.p));
        }
        if self.ap == Ap::Bias && self.ap_bias_k.is_none_or(|k| !k.is_finite()) {
            return bad("ap = \"bias\" needs ap_bias_k: the constant added to the bias of the located dead neurons".into());
        }
        if self.method == Method::Taylor && self.taylor_batches == Some(0) {
            return bad("taylor_batches must be at least 1 (or \"epoch\" for one epoch)".into());
        }
        if self.method == Method::Snip && self.snip_batches == 0 {
            return bad("snip_batches must be at least 1".into());
        }
        Ok(())
    }

    fn validate_schedule(&self) -> Result<(), StateError> {
        if let Some(t) = self.target
            && !(t > 0.0 && t < 100.0)
        {
            return bad(format!(
                "target ({t}) must be in (0, 100): the percent of weights left"
            ));
        }
        match self.schedule {
            Schedule::Iterative if self.cycles == 0 || self.cycles > 1000 => {
                bad(format!("cycles ({}) must be between 1 and 1000", self.cycles))
            }
            Schedule::OneShot | Schedule::Gradual if self.target.is_none() => {
                bad(format!("schedule = \"{}\" needs target: the percent of weights left at the end", self.schedule))
            }
            Schedule::Gradual if self.ap != Ap::None => bad("schedule = \"gradual\" prunes inside training and cannot take an AP step: use ap = \"none\"".into()),
            Schedule::Gradual if matches!(self.method, Method::Taylor | Method::Snip) => {
                bad(format!("schedule = \"gradual\" needs a criterion that reads weights only, not method = \"{}\"", self.method))
            }
            Schedule::Gradual if self.gradual_steps == 0 => bad("gradual_steps must be at least 1".into()),
            Schedule::Gradual if !(self.gradual_start < self.gradual_stop() && self.gradual_stop() <= self.epochs) => bad(format!(
                "gradual_start ({}) must be before gradual_end ({}), which must not pass epochs ({})",
                self.gradual_start,
                self.gradual_stop(),
                self.epochs
            )),
            _ => Ok(()),
        }
    }

    fn validate_training(&self) -> Result<(), StateError> {
        if self.epochs == 0 {
            return bad("epochs must be at least 1".into());
        }
        if self.batch == 0 {
            return bad("batch must be at least 1".into());
        }
        positive("lr", self.lr)?;
        positive("lr_gamma", self.lr_gamma)?;
        if let Some(lr) = self.finetune_lr {
            positive("finetune_lr", lr)?;
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return bad(format!("momentum ({}) must be in [0, 1)", self.momentum));
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return bad(format!(
                "weight_decay ({}) must be non-negative",
                self.weight_decay
            ));
        }
        if !(self.act_reg_weight >= 0.0 && self.act_reg_weight.is_finite()) {
            return bad(format!(
                "act_reg_weight ({}) must be non-negative",
                self.act_reg_weight
            ));
        }
        if self.rewind_iteration > 0 && self.retrain != Retrain::WeightRewind {
            return bad(format!(
                "rewind_iteration ({}) applies to retrain = \"weight-rewind\" only, not \"{}\"",
                self.rewind_iteration, self.retrain
            ));
        }
        if self.warmup_epochs > self.epochs {
            return bad(format!(
                "warmup_epochs ({}) must not exceed epochs ({})",
                self.warmup_epochs, self.epochs
            ));
        }
        Ok(())
    }

    /// The epoch the gradual schedule reaches its target (`gradual_end`, default ¾ of `epochs`).
    pub fn gradual_stop(&self) -> u32 {
        self.gradual_end
            .unwrap_or_else(|| (self.epochs * 3).div_ceil(4).max(1))
    }
}
