//! prunelab's networks, generic over the device (burn picks the backend at run time).
//!
//! Every network routes each activation through a [`Probe`], which counts the dead units per
//! channel on the device inside the training/eval pass — the counts behind DNR (AP paper, eq. 1–2)
//! and activation density (activation-density paper, eq. 1). Each model also lists its parameters
//! and MACs per layer from its shapes alone ([`Network::costs`]). One file per model; the
//! reference counts they match are in `docs/models.md`.

mod cnn;
mod densenet;
mod layers;
mod lenet;
mod mobilenetv2;
mod network;
pub mod params;
mod probe;
mod resnet;
mod resnet18;
mod resnet50;
mod vgg;
mod vit;

pub use cnn::Cnn;
pub use densenet::{Densenet, DensenetPlan};
pub use lenet::Lenet300;
pub use mobilenetv2::{MobilenetPlan, Mobilenetv2};
pub use network::{InputShape, Network, WidthError};
pub use probe::Probe;
pub use resnet::{BlockPlan, Resnet, ResnetPlan};
pub use resnet18::{RESNET18_WIDTHS, resnet18_plan};
pub use resnet50::{Resnet50, Resnet50Plan};
pub use vgg::{VGG19_WIDTHS, Vgg19, VggPlan};
pub use vit::{Vit, VitPlan};
