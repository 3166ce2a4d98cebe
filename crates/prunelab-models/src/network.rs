//! The network named in a config/URL (`model = lenet300 | cnn | resnet20 | resnet56 | vgg19 |
//! densenet40 | mobilenetv2 | resnet18 | resnet50 | vit-b16`), as one module.

use burn::prelude::*;
use prunelab_core::density::inherit::Axis;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::LayerCost;
use prunelab_core::state::Model;

use crate::cnn::CNN_WIDTHS;
use crate::densenet::DensenetPlan;
use crate::lenet::LENET300_WIDTHS;
use crate::mobilenetv2::MobilenetPlan;
use crate::probe::Probe;
use crate::resnet::ResnetPlan;
use crate::resnet18::{RESNET18_WIDTHS, resnet18_plan};
use crate::resnet50::Resnet50Plan;
use crate::vgg::{VGG19_WIDTHS, VggPlan};
use crate::vit::VitPlan;
use crate::{Cnn, Densenet, Lenet300, Mobilenetv2, Resnet, Resnet50, Vgg19, Vit};

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

// One network exists per run, so the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Network {
    Lenet300(Lenet300),
    Cnn(Cnn),
    Resnet20(Resnet),
    Resnet56(Resnet),
    Vgg19(Vgg19),
    Densenet40(Densenet),
    Mobilenetv2(Mobilenetv2),
    Resnet18(Resnet),
    Resnet50(Resnet50),
    VitB16(Vit),
}

impl Network {
    /// Build `model` for images of `input` shape and `classes` outputs. Initial values are
    /// overwritten by the engine's seeded He initialisation, identical on every backend.
    pub fn new(model: Model, input: InputShape, classes: usize, device: &Device) -> Self {
        match model {
            Model::Lenet300 => Self::Lenet300(Lenet300::new(input, classes, device)),
            Model::Cnn => Self::Cnn(Cnn::new(input, classes, device)),
            Model::Resnet20 => Self::Resnet20(Resnet::cifar(3, input, classes, device)),
            Model::Resnet56 => Self::Resnet56(Resnet::cifar(9, input, classes, device)),
            Model::Vgg19 => Self::Vgg19(Vgg19::new(input, classes, device)),
            Model::Densenet40 => Self::Densenet40(Densenet::new(input, classes, device)),
            Model::Mobilenetv2 => Self::Mobilenetv2(Mobilenetv2::new(input, classes, device)),
            Model::Resnet18 => Self::Resnet18(Resnet::resnet18(input, classes, device)),
            Model::Resnet50 => Self::Resnet50(Resnet50::new(input, classes, device)),
            Model::VitB16 => Self::VitB16(Vit::b16(input, classes, device)),
        }
    }

    /// Parameters and MACs per layer of `model` at `input` and `classes`, computed from the
    /// architecture's shapes alone (no tensors; see [`prunelab_core::macs`] for what is counted).
    pub fn costs(model: Model, input: InputShape, classes: usize) -> Vec<LayerCost> {
        match model {
            Model::Lenet300 => Lenet300::costs(input, classes, &LENET300_WIDTHS),
            Model::Cnn => Cnn::costs(input, classes, &CNN_WIDTHS),
            Model::Resnet20 => ResnetPlan::cifar(3, input, classes).costs(),
            Model::Resnet56 => ResnetPlan::cifar(9, input, classes).costs(),
            Model::Vgg19 => VggPlan {
                input,
                widths: VGG19_WIDTHS,
                classes,
            }
            .costs(),
            Model::Densenet40 => DensenetPlan::densenet40(input, classes).costs(),
            Model::Mobilenetv2 => MobilenetPlan { input, classes }.costs(),
            Model::Resnet18 => resnet18_plan(input, classes, &RESNET18_WIDTHS).costs(),
            Model::Resnet50 => Resnet50Plan { input, classes }.costs(),
            Model::VitB16 => VitPlan::b16(input, classes).costs(),
        }
    }

    /// The standard widths of a model that activation-density pruning can resize (one per
    /// counted activation layer, in the order of [`Network::units`]: LeNet's two hidden layers,
    /// the CNN's conv1, conv2 and fc1, a ResNet's stem and the two convs of every block, VGG-19's
    /// 16 convs); `None` for the other models.
    pub fn widths_of(model: Model, input: InputShape, classes: usize) -> Option<Vec<usize>> {
        Some(match model {
            Model::Lenet300 => LENET300_WIDTHS.to_vec(),
            Model::Cnn => CNN_WIDTHS.to_vec(),
            Model::Vgg19 => VGG19_WIDTHS.to_vec(),
            Model::Resnet20 | Model::Resnet56 | Model::Resnet18 => {
                resnet_plan(model, input, classes)?.widths()
            }
            _ => return None,
        })
    }

    /// `model` with its resizable layers at `widths` (see [`Network::widths_of`]), built as
    /// [`Network::new`]; an error for a model that cannot be resized or a wrong list of widths.
    pub fn with_widths(
        model: Model,
        input: InputShape,
        classes: usize,
        widths: &[usize],
        device: &Device,
    ) -> Result<Self, WidthError> {
        check(model, input, classes, widths)?;
        Ok(match model {
            Model::Lenet300 => Self::Lenet300(Lenet300::with_widths(
                input,
                classes,
                &fixed(model, widths)?,
                device,
            )),
            Model::Cnn => Self::Cnn(Cnn::with_widths(
                input,
                classes,
                &fixed(model, widths)?,
                device,
            )),
            Model::Vgg19 => Self::Vgg19(Vgg19::with_widths(
                input,
                classes,
                &fixed(model, widths)?,
                device,
            )),
            _ => {
                let plan = resnet_plan(model, input, classes)
                    .and_then(|p| p.with_widths(widths))
                    .ok_or(WidthError::NotResizable(model))?;
                let net = Resnet::from_plan(plan, device);
                match model {
                    Model::Resnet20 => Self::Resnet20(net),
                    Model::Resnet56 => Self::Resnet56(net),
                    _ => Self::Resnet18(net),
                }
            }
        })
    }

    /// [`Network::costs`] of `model` with its resizable layers at `widths`.
    pub fn costs_with_widths(
        model: Model,
        input: InputShape,
        classes: usize,
        widths: &[usize],
    ) -> Result<Vec<LayerCost>, WidthError> {
        check(model, input, classes, widths)?;
        Ok(match model {
            Model::Lenet300 => Lenet300::costs(input, classes, &fixed(model, widths)?),
            Model::Cnn => Cnn::costs(input, classes, &fixed(model, widths)?),
            Model::Vgg19 => VggPlan {
                input,
                widths: fixed(model, widths)?,
                classes,
            }
            .costs(),
            _ => resnet_plan(model, input, classes)
                .and_then(|p| p.with_widths(widths))
                .ok_or(WidthError::NotResizable(model))?
                .costs(),
        })
    }

    /// For `density_init = "inherit"`: which resizable layer's channels each axis of the tensor
    /// `name` (PyTorch name) indexes (`None` for a fixed axis); `None` for a tensor that is not
    /// sliced from the previous net (a model that cannot be resized, an unknown name).
    pub fn axes(&self, name: &str) -> Option<Vec<Option<Axis>>> {
        match self {
            Self::Lenet300(m) => m.axes(name),
            Self::Cnn(m) => m.axes(name),
            Self::Resnet20(m) | Self::Resnet56(m) | Self::Resnet18(m) => m.axes(name),
            Self::Vgg19(m) => m.axes(name),
            _ => None,
        }
    }

    /// Logits `[batch, classes]` for images `[batch, c, h, w]`; zero counts go to `probe`.
    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        match self {
            Self::Lenet300(m) => m.forward(x, probe),
            Self::Cnn(m) => m.forward(x, probe),
            Self::Resnet20(m) | Self::Resnet56(m) | Self::Resnet18(m) => m.forward(x, probe),
            Self::Vgg19(m) => m.forward(x, probe),
            Self::Densenet40(m) => m.forward(x, probe),
            Self::Mobilenetv2(m) => m.forward(x, probe),
            Self::Resnet50(m) => m.forward(x, probe),
            Self::VitB16(m) => m.forward(x, probe),
        }
    }

    /// The activation layers whose units the probe counts, in the order it counts them.
    pub fn units(&self) -> Vec<UnitLayer> {
        match self {
            Self::Lenet300(m) => m.units(),
            Self::Cnn(m) => m.units(),
            Self::Resnet20(m) | Self::Resnet56(m) | Self::Resnet18(m) => m.units(),
            Self::Vgg19(m) => m.units(),
            Self::Densenet40(m) => m.units(),
            Self::Mobilenetv2(m) => m.units(),
            Self::Resnet50(m) => m.units(),
            Self::VitB16(m) => m.units(),
        }
    }
}

/// The standard plan of a basic-block ResNet model.
fn resnet_plan(model: Model, input: InputShape, classes: usize) -> Option<ResnetPlan> {
    match model {
        Model::Resnet20 => Some(ResnetPlan::cifar(3, input, classes)),
        Model::Resnet56 => Some(ResnetPlan::cifar(9, input, classes)),
        Model::Resnet18 => Some(resnet18_plan(input, classes, &RESNET18_WIDTHS)),
        _ => None,
    }
}

/// Why a list of layer widths does not fit a model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WidthError {
    /// The model has no resizable layers.
    #[error("{0} has no resizable layer widths")]
    NotResizable(Model),
    /// Not one width per resizable layer.
    #[error("{model} takes {expected} widths, got {got}")]
    Count {
        model: Model,
        expected: usize,
        got: usize,
    },
    /// A layer with no channel.
    #[error("every width must be at least 1, got {0:?}")]
    Zero(Vec<usize>),
}

/// `widths` fits `model`: as many as it has resizable layers, each at least 1.
fn check(
    model: Model,
    input: InputShape,
    classes: usize,
    widths: &[usize],
) -> Result<(), WidthError> {
    let standard =
        Network::widths_of(model, input, classes).ok_or(WidthError::NotResizable(model))?;
    if widths.len() != standard.len() {
        return Err(WidthError::Count {
            model,
            expected: standard.len(),
            got: widths.len(),
        });
    }
    if widths.contains(&0) {
        return Err(WidthError::Zero(widths.to_vec()));
    }
    Ok(())
}

/// The widths as an array of the model's own length (checked by [`check`] first).
fn fixed<const N: usize>(model: Model, widths: &[usize]) -> Result<[usize; N], WidthError> {
    widths.try_into().map_err(|_| WidthError::Count {
        model,
        expected: N,
        got: widths.len(),
    })
}
