//! The training engine, shared unchanged by the native CLI and the browser (wasm): it trains a
//! network, prunes it cycle by cycle with a base method and Activate-while-Pruning (AP paper,
//! Algorithm 2), rewinds survivors to θ0, and measures accuracy and DNR per cycle — or, with
//! `method = density`, trains successively resized networks (activation-density paper,
//! Algorithm 1; `density`).
//!
//! Everything that reads from the device is `async` (browsers allow no blocking readback);
//! native callers drive it with a simple executor. Each epoch reads back once.

pub mod bench;
pub mod checkpoint;
mod density;
mod device;
mod error;
mod eval;
mod hooks;
mod images;
mod optim;
mod resume;
mod run;
mod scores;
mod state;
mod train;

pub use checkpoint::Checkpoint;
#[cfg(not(target_arch = "wasm32"))]
pub use device::native_device;
pub use device::{BACKENDS, Backend, Place};
#[cfg(target_arch = "wasm32")]
pub use device::{cpu_device, webgpu_device};
pub use error::EngineError;
pub use eval::{Evaluation, evaluate};
pub use images::{Images, Source};
pub use resume::{DensityProgress, Progress, Snapshot};
pub use run::{Event, Observer, run, run_from};
pub use state::NetState;
