//! The images a run reads, as device batches: held in memory (MNIST, CIFAR, TinyImageNet) or
//! streamed from an image-folder tree (ImageNet), decoded and augmented on worker threads with a
//! prefetching queue while the device trains (see `prunelab_data::ImageFolder`).

use burn::prelude::*;
use burn::tensor::TensorData;
use prunelab_core::StateError;
use prunelab_core::rng::Rng;
#[cfg(not(target_arch = "wasm32"))]
use prunelab_data::{Augment, FolderSplit, ImageFolder};
use prunelab_data::{Dataset, Split, normalise};

use crate::EngineError;

/// Decoding threads and batches kept ready for a streamed split.
#[cfg(not(target_arch = "wasm32"))]
const WORKERS: usize = 8;
#[cfg(not(target_arch = "wasm32"))]
const PREFETCH: usize = 4;

/// Where a run's data comes from.
pub enum Source {
    Memory(Split),
    #[cfg(not(target_arch = "wasm32"))]
    Folder(ImageFolder),
}

impl From<Split> for Source {
    fn from(split: Split) -> Self {
        Self::Memory(split)
    }
}

/// One split of a run: every image of it, or the images `indices` of a streamed split
/// (`train`: with the training augmentation).
#[derive(Clone)]
pub enum Images {
    Memory(Dataset),
    #[cfg(not(target_arch = "wasm32"))]
    Folder { split: FolderSplit, indices: Vec<usize>, train: bool },
}

/// A device batch: the positions it holds (in the split), images `[b, c, h, w]`, labels `[b]`.
pub type DeviceBatch = (usize, Tensor<4>, Tensor<1, Int>);

impl Source {
    /// The training and test splits.
    pub fn splits(&self) -> Result<(Images, Images), EngineError> {
        Ok(match self {
            Self::Memory(s) => (Images::Memory(s.train.clone()), Images::Memory(s.test.clone())),
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder(f) => {
                let folder = |name: &str, train: bool| -> Result<Images, EngineError> {
                    let split = f.split(name).map_err(|e| EngineError::Stopped(e.to_string()))?.clone();
                    Ok(Images::Folder { indices: (0..split.len()).collect(), split, train })
                };
                (folder("train", true)?, folder("val", false)?)
            }
        })
    }
}

impl Images {
    pub fn len(&self) -> usize {
        match self {
            Self::Memory(d) => d.len(),
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { indices, .. } => indices.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `[channels, height, width]` of the images the network sees.
    pub fn shape(&self) -> [usize; 3] {
        match self {
            Self::Memory(d) => d.shape,
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { .. } => [3, prunelab_data::CROP as usize, prunelab_data::CROP as usize],
        }
    }

    pub fn classes(&self) -> usize {
        match self {
            Self::Memory(d) => d.classes,
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { split, .. } => split.classes(),
        }
    }

    /// The images at `positions`; `train` says whether a streamed split augments them.
    fn pick(&self, positions: &[usize], train: bool) -> Self {
        match self {
            Self::Memory(d) => {
                let images = positions.iter().flat_map(|&i| d.image(i).iter().copied()).collect();
                let labels = positions.iter().map(|&i| d.labels[i]).collect();
                Self::Memory(Dataset { images, labels, shape: d.shape, classes: d.classes })
            }
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { split, indices, .. } => Self::Folder { split: split.clone(), indices: positions.iter().map(|&p| indices[p]).collect(), train },
        }
    }

    fn is_train(&self) -> bool {
        match self {
            Self::Memory(_) => true,
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { train, .. } => *train,
        }
    }

    /// A fixed, seed-independent random subset of `n` images (all when `n` is 0 or too large), so
    /// runs with different seeds see the same images and class-sorted files are not cut by class.
    pub fn subset(&self, n: usize) -> Self {
        if n == 0 || n >= self.len() {
            return self.clone();
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(0, 0x5eb5e7).shuffle(&mut order);
        order.truncate(n);
        self.pick(&order, self.is_train())
    }

    /// Hold out `n` training images as a validation split (a fixed, seed-independent choice), so
    /// early stopping never looks at the test split. Held-out streamed images are not augmented.
    pub fn hold_out(&self, n: usize) -> Result<(Self, Option<Self>), StateError> {
        if n == 0 {
            return Ok((self.clone(), None));
        }
        if n >= self.len() {
            return Err(StateError::Invalid(format!("val_size ({n}) must be smaller than the training images used ({})", self.len())));
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(0, 0x7a1d).shuffle(&mut order);
        let (val, train) = order.split_at(n);
        Ok((self.pick(train, self.is_train()), Some(self.pick(val, false))))
    }

    /// The images at `order` (positions in this split) as device batches of `size`, in order.
    /// `augment_seed` draws the training augmentation of a streamed split (ignored otherwise).
    pub fn batches<'a>(&'a self, order: Vec<usize>, size: usize, augment_seed: u64, device: &'a Device) -> Box<dyn Iterator<Item = Result<DeviceBatch, EngineError>> + 'a> {
        let size = size.max(1);
        match self {
            Self::Memory(d) => {
                let chunks: Vec<Vec<usize>> = order.chunks(size).map(<[usize]>::to_vec).collect();
                Box::new(chunks.into_iter().map(move |idx| Ok(memory_batch(d, &idx, device))))
            }
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { split, indices, train } => {
                let augment = if *train { Augment::Train { seed: augment_seed, epoch: 0 } } else { Augment::Eval };
                let order = order.iter().map(|&p| indices[p]).collect();
                Box::new(split.loader(order, size, augment, WORKERS, PREFETCH).map(move |b| {
                    let b = b.map_err(|e| EngineError::Stopped(e.to_string()))?;
                    let (n, shape) = (b.len(), b.shape());
                    let labels: Vec<i32> = b.labels.iter().map(|&l| i32::from(l)).collect();
                    let x = Tensor::from_data(TensorData::new(b.images, shape), device);
                    Ok((n, x, Tensor::from_data(TensorData::new(labels, [n]), device)))
                }))
            }
        }
    }
}

/// Images `[b, c, h, w]` as pixel/255 and labels `[b]` for the samples `idx` of `data`.
fn memory_batch(data: &Dataset, idx: &[usize], device: &Device) -> DeviceBatch {
    let [c, h, w] = data.shape;
    let pixels = TensorData::new(normalise(data, idx), [idx.len(), c, h, w]);
    let labels: Vec<i32> = idx.iter().map(|&i| i32::from(data.labels[i])).collect();
    let labels = TensorData::new(labels, [idx.len()]);
    (idx.len(), Tensor::from_data(pixels, device), Tensor::from_data(labels, device))
}
