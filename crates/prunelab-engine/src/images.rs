//! The images a run reads, as device batches: held in memory (MNIST, CIFAR, TinyImageNet) or
//! streamed from an image-folder tree (ImageNet), decoded and augmented on worker threads with a
//! prefetching queue while the device trains (see `prunelab_data::ImageFolder`). CIFAR training
//! images get the standard random crop (4 pixels of zero padding) and horizontal flip
//! (`prunelab_data::pad_crop`), drawn per epoch and image.

use burn::prelude::*;
use burn::tensor::TensorData;
use prunelab_core::StateError;
use prunelab_core::rng::Rng;
#[cfg(not(target_arch = "wasm32"))]
use prunelab_data::{Augment, FolderSplit, ImageFolder};
use prunelab_data::{Dataset, Split, normalise, pad_crop};

use crate::EngineError;

/// Decoding threads and batches kept ready for a streamed split.
#[cfg(not(target_arch = "wasm32"))]
const WORKERS: usize = 8;
#[cfg(not(target_arch = "wasm32"))]
const PREFETCH: usize = 4;

/// Zero padding of the CIFAR random crop.
const CROP_PAD: usize = 4;

/// Where a run's data comes from: images in memory (`crop`: training images get the CIFAR random
/// crop and flip) or an image-folder tree.
pub enum Source {
    Memory {
        split: Split,
        crop: bool,
    },
    #[cfg(not(target_arch = "wasm32"))]
    Folder(ImageFolder),
}

impl From<Split> for Source {
    fn from(split: Split) -> Self {
        Self::Memory { split, crop: false }
    }
}

impl Source {
    /// CIFAR-style data: training images are randomly cropped and flipped.
    pub fn cropped(split: Split) -> Self {
        Self::Memory { split, crop: true }
    }
}

/// One split of a run: every image of it, or the images `indices` of a streamed split
/// (`train`: with the training augmentation).
#[derive(Clone)]
pub enum Images {
    Memory {
        data: Dataset,
        crop: bool,
    },
    #[cfg(not(target_arch = "wasm32"))]
    Folder {
        split: FolderSplit,
        indices: Vec<usize>,
        train: bool,
    },
}

/// A device batch: the positions it holds (in the split), images `[b, c, h, w]`, labels `[b]`.
pub type DeviceBatch = (usize, Tensor<4>, Tensor<1, Int>);

impl Source {
    /// The training and test splits.
    pub fn splits(&self) -> Result<(Images, Images), EngineError> {
        Ok(match self {
            Self::Memory { split, crop } => (
                Images::Memory {
                    data: split.train.clone(),
                    crop: *crop,
                },
                Images::memory(split.test.clone()),
            ),
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder(f) => {
                let folder = |name: &str, train: bool| -> Result<Images, EngineError> {
                    let split = f
                        .split(name)
                        .map_err(|e| EngineError::Data(e.to_string()))?
                        .clone();
                    Ok(Images::Folder {
                        indices: (0..split.len()).collect(),
                        split,
                        train,
                    })
                };
                (folder("train", true)?, folder("val", false)?)
            }
        })
    }
}

impl Images {
    /// Images in memory, used as they are.
    pub fn memory(data: Dataset) -> Self {
        Self::Memory { data, crop: false }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Memory { data, .. } => data.len(),
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
            Self::Memory { data, .. } => data.shape,
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { .. } => [
                3,
                prunelab_data::CROP as usize,
                prunelab_data::CROP as usize,
            ],
        }
    }

    pub fn classes(&self) -> usize {
        match self {
            Self::Memory { data, .. } => data.classes,
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { split, .. } => split.classes(),
        }
    }

    /// The images at `positions`; `train` says whether they keep their augmentation.
    fn pick(&self, positions: &[usize], train: bool) -> Self {
        match self {
            Self::Memory { data: d, crop } => {
                let images = positions
                    .iter()
                    .flat_map(|&i| d.image(i).iter().copied())
                    .collect();
                let labels = positions.iter().map(|&i| d.labels[i]).collect();
                Self::Memory {
                    data: Dataset {
                        images,
                        labels,
                        shape: d.shape,
                        classes: d.classes,
                    },
                    crop: *crop && train,
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { split, indices, .. } => Self::Folder {
                split: split.clone(),
                indices: positions.iter().map(|&p| indices[p]).collect(),
                train,
            },
        }
    }

    fn is_train(&self) -> bool {
        match self {
            Self::Memory { crop, .. } => *crop,
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
    /// early stopping never looks at the test split. Held-out images are not augmented.
    pub fn hold_out(&self, n: usize) -> Result<(Self, Option<Self>), StateError> {
        if n == 0 {
            return Ok((self.clone(), None));
        }
        if n >= self.len() {
            return Err(StateError::Invalid(format!(
                "val_size ({n}) must be smaller than the training images used ({})",
                self.len()
            )));
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(0, 0x7a1d).shuffle(&mut order);
        let (val, train) = order.split_at(n);
        Ok((
            self.pick(train, self.is_train()),
            Some(self.pick(val, false)),
        ))
    }

    /// The images at `order` (positions in this split) as device batches of `size`, in order.
    /// `augment_seed` draws the training augmentation (ignored for splits without one).
    pub fn batches<'a>(
        &'a self,
        order: Vec<usize>,
        size: usize,
        augment_seed: u64,
        device: &'a Device,
    ) -> Box<dyn Iterator<Item = Result<DeviceBatch, EngineError>> + 'a> {
        let augment = self.is_train().then_some(augment_seed);
        self.batches_with(order, size, augment, device)
    }

    /// The images at `order` as device batches of `size`, never augmented: what an evaluation
    /// sees, of the training split too (eq. 1's DNR over the training samples).
    pub fn plain_batches<'a>(
        &'a self,
        order: Vec<usize>,
        size: usize,
        device: &'a Device,
    ) -> Box<dyn Iterator<Item = Result<DeviceBatch, EngineError>> + 'a> {
        self.batches_with(order, size, None, device)
    }

    fn batches_with<'a>(
        &'a self,
        order: Vec<usize>,
        size: usize,
        augment_seed: Option<u64>,
        device: &'a Device,
    ) -> Box<dyn Iterator<Item = Result<DeviceBatch, EngineError>> + 'a> {
        let size = size.max(1);
        match self {
            Self::Memory { data, .. } => {
                let chunks: Vec<Vec<usize>> = order.chunks(size).map(<[usize]>::to_vec).collect();
                let seed = augment_seed;
                Box::new(
                    chunks
                        .into_iter()
                        .map(move |idx| Ok(memory_batch(data, &idx, seed, device))),
                )
            }
            #[cfg(not(target_arch = "wasm32"))]
            Self::Folder { split, indices, .. } => {
                let augment = match augment_seed {
                    Some(seed) => Augment::Train { seed, epoch: 0 },
                    None => Augment::Eval,
                };
                let order = order.iter().map(|&p| indices[p]).collect();
                Box::new(
                    split
                        .loader(order, size, augment, WORKERS, PREFETCH)
                        .map(move |b| {
                            let b = b.map_err(|e| EngineError::Data(e.to_string()))?;
                            let (n, shape) = (b.len(), b.shape());
                            let labels: Vec<i32> = b.labels.iter().map(|&l| i32::from(l)).collect();
                            let x = Tensor::from_data(TensorData::new(b.images, shape), device);
                            Ok((
                                n,
                                x,
                                Tensor::from_data(TensorData::new(labels, [n]), device),
                            ))
                        }),
                )
            }
        }
    }
}

/// Images `[b, c, h, w]` as pixel/255 and labels `[b]` for the samples `idx` of `data`; with a
/// seed, each image randomly cropped and flipped (offsets and flip from the seed and its index).
fn memory_batch(
    data: &Dataset,
    idx: &[usize],
    crop_seed: Option<u64>,
    device: &Device,
) -> DeviceBatch {
    let [c, h, w] = data.shape;
    let mut pixels = normalise(data, idx);
    if let Some(seed) = crop_seed {
        let n = data.image_len();
        for (image, &i) in pixels.chunks_mut(n).zip(idx) {
            let mut rng = Rng::new(seed, i as u64);
            let offset = (rng.below(2 * CROP_PAD + 1), rng.below(2 * CROP_PAD + 1));
            let cropped = pad_crop(image, data.shape, CROP_PAD, offset, rng.uniform() < 0.5);
            image.copy_from_slice(&cropped);
        }
    }
    let pixels = TensorData::new(pixels, [idx.len(), c, h, w]);
    let labels: Vec<i32> = idx.iter().map(|&i| i32::from(data.labels[i])).collect();
    let labels = TensorData::new(labels, [idx.len()]);
    (
        idx.len(),
        Tensor::from_data(pixels, device),
        Tensor::from_data(labels, device),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` 3×8×8 images with distinct pixels.
    fn images(n: usize) -> Dataset {
        let images = (0..n * 192).map(|i| (i * 7 % 251) as u8).collect();
        Dataset {
            images,
            labels: (0..n as u16).collect(),
            shape: [3, 8, 8],
            classes: n,
        }
    }

    fn pixels(data: &Images, order: Vec<usize>, seed: u64) -> Vec<f32> {
        let device = Device::flex();
        let batches: Vec<DeviceBatch> = data
            .batches(order, 4, seed, &device)
            .collect::<Result<_, _>>()
            .expect("batches");
        batches
            .into_iter()
            .flat_map(|(_, x, _)| {
                x.into_data()
                    .convert::<f32>()
                    .try_to_vec::<f32>()
                    .expect("f32")
            })
            .collect()
    }

    #[test]
    fn training_images_are_cropped_and_flipped_held_out_ones_are_not() {
        let data = images(6);
        let cropped = Images::Memory {
            data: data.clone(),
            crop: true,
        };
        let order: Vec<usize> = (0..6).collect();
        let plain = normalise(&data, &order);
        let got = pixels(&cropped, order.clone(), 9);
        assert_ne!(got, plain, "no augmentation happened");
        assert_eq!(
            got,
            pixels(&cropped, order.clone(), 9),
            "same seed, same crops"
        );
        assert_ne!(
            got,
            pixels(&cropped, order.clone(), 10),
            "another epoch, other crops"
        );
        for (i, (image, original)) in got.chunks(192).zip(plain.chunks(192)).enumerate() {
            let candidates = (0..=8)
                .flat_map(|dy| (0..=8).flat_map(move |dx| [false, true].map(move |f| (dy, dx, f))));
            let found = candidates
                .into_iter()
                .any(|(dy, dx, f)| pad_crop(original, [3, 8, 8], CROP_PAD, (dy, dx), f) == image);
            assert!(found, "image {i} is not a pad-4 crop (+ flip) of itself");
        }
        let (train, val) = cropped.hold_out(2).expect("hold out");
        let val = val.expect("validation split");
        assert!(train.is_train() && !val.is_train());
        let Images::Memory { data: held, .. } = &val else {
            panic!("in memory")
        };
        assert_eq!(pixels(&val, vec![0, 1], 9), normalise(held, &[0, 1]));
        assert_eq!(
            pixels(&Images::memory(data.clone()), order.clone(), 9),
            plain
        );
    }
}
