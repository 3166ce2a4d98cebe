//! prunelab's networks, generic over the device (burn picks the backend at run time).
//!
//! Every network routes each ReLU through a [`Probe`], which counts the zero outputs per channel on
//! the device inside the training/eval pass — the counts behind DNR (AP paper, eq. 1–2) and
//! activation density (activation-density paper, eq. 1). One file per model.

mod cnn;
mod lenet;
mod network;
pub mod params;
mod probe;
mod resnet;

pub use cnn::Cnn;
pub use lenet::Lenet300;
pub use network::{InputShape, Network};
pub use probe::Probe;
pub use resnet::Resnet20;
