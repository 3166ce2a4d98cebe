//! The network named in a config/URL (`model = lenet300 | cnn | resnet20`), as one module.

use burn::prelude::*;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::state::Model;

use crate::probe::Probe;
use crate::{Cnn, Lenet300, Resnet20};

/// Input image shape `[channels, height, width]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputShape(pub [usize; 3]);

impl InputShape {
    pub fn len(&self) -> usize {
        self.0.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Module, Debug)]
pub enum Network {
    Lenet300(Lenet300),
    Cnn(Cnn),
    Resnet20(Resnet20),
}

impl Network {
    /// Build `model` for images of `input` shape and `classes` outputs. Initial values are
    /// overwritten by the engine's seeded He initialisation, identical on every backend.
    pub fn new(model: Model, input: InputShape, classes: usize, device: &Device) -> Self {
        match model {
            Model::Lenet300 => Self::Lenet300(Lenet300::new(input, classes, device)),
            Model::Cnn => Self::Cnn(Cnn::new(input, classes, device)),
            Model::Resnet20 => Self::Resnet20(Resnet20::new(input, classes, device)),
        }
    }

    /// Logits `[batch, classes]` for images `[batch, c, h, w]`; zero counts go to `probe`.
    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        match self {
            Self::Lenet300(m) => m.forward(x, probe),
            Self::Cnn(m) => m.forward(x, probe),
            Self::Resnet20(m) => m.forward(x, probe),
        }
    }

    /// The ReLU layers whose units the probe counts, in the order it counts them.
    pub fn units(&self) -> Vec<UnitLayer> {
        match self {
            Self::Lenet300(m) => m.units(),
            Self::Cnn(m) => m.units(),
            Self::Resnet20(m) => m.units(),
        }
    }
}
