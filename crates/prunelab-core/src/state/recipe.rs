//! Named training protocols: the defaults a config starts from before its own keys apply.

use super::{
    ActReg, Ap, ApTiming, Data, DensityInit, DnrSplit, DnrUnit, Experiment, LiteLambda, Method,
    Model, PruneClassifier, Recipe, Retrain, Schedule, Scope, Taylor,
};

impl Recipe {
    /// The experiment this recipe describes when no other key is given.
    ///
    /// `ap-paper` is the AP paper's protocol (§3.1, §4.1): SGD with momentum 0.9 (PyTorch
    /// semantics), weight decay 1e-4, He initialisation, batch 128, 100 epochs per cycle, the LR
    /// warmed up linearly to 0.03 and divided by 10 at epochs 55 and 70, p = 20 %, q = 2 %, and a
    /// 5 000-image validation split for early stopping. The paper does not state the warm-up
    /// length: prunelab uses 5 epochs (`warmup_epochs`). 13 cycles reach λ ≈ 5.5 %, past the
    /// paper's last column (5.72 %).
    pub fn defaults(self) -> Experiment {
        let custom = Experiment {
            recipe: self,
            model: Model::Lenet300,
            data: Data::Mnist,
            method: Method::Gm,
            prune_classifier: PruneClassifier::Yes,
            imp_scope: Scope::Layer,
            lap_scope: Scope::Global,
            taylor_batches: None,
            taylor: Taylor::Sum,
            snip_batches: 1,
            ap: Ap::Pro,
            ap_timing: ApTiming::Pro,
            lite_lambda: LiteLambda::Literal,
            ap_bias_k: None,
            p: 20.0,
            q: Some(2.0),
            schedule: Schedule::Iterative,
            cycles: 3,
            target: None,
            gradual_start: 0,
            gradual_end: None,
            gradual_steps: 10,
            retrain: Retrain::WeightRewind,
            rewind_iteration: 0,
            finetune_lr: None,
            act_reg: ActReg::None,
            act_reg_weight: 1e-4,
            epochs: 1,
            seed: 1,
            lr: 0.05,
            warmup_epochs: 0,
            lr_milestones: Vec::new(),
            lr_gamma: 0.1,
            batch: 64,
            momentum: 0.9,
            weight_decay: 1e-4,
            val_size: 0,
            train_size: 0,
            test_size: 0,
            dnr_split: DnrSplit::Train,
            dnr_unit: DnrUnit::Position,
            rho_threshold: 0.001,
            rho_epochs: 2,
            delta_window: 0,
            delta_slope: 0.0,
            density_nets: 4,
            density_init: DensityInit::Fresh,
        };
        match self {
            Recipe::Custom => custom,
            Recipe::ApPaper => Experiment {
                model: Model::Resnet20,
                data: Data::Cifar10,
                cycles: 13,
                epochs: 100,
                lr: 0.03,
                warmup_epochs: 5,
                lr_milestones: vec![55, 70],
                batch: 128,
                val_size: 5000,
                ..custom
            },
        }
    }
}
