//! ImageNet as an image-folder tree, streamed: too big for memory, so images are decoded and
//! augmented on worker threads while the consumer trains.
//!
//! # Layout
//! `root/train/<class>/*.JPEG` and `root/val/<class>/*.JPEG` (the usual ILSVRC-2012 preparation,
//! with the validation images moved into one folder per wnid). Files ending in `.jpeg`, `.jpg`
//! or `.png` (any case) are images; anything else is ignored. The classes are the sorted folder
//! names, labels their positions (as torchvision's `ImageFolder`); `train/` and `val/` must have
//! the same class folders, each with at least one image. Within a split, images are numbered
//! class by class, sorted by file name within a class.
//!
//! # Use
//! ```no_run
//! use prunelab_data::{Augment, ImageFolder};
//! # fn main() -> prunelab_data::Result<()> {
//! let imagenet = ImageFolder::open("data/imagenet".as_ref())?;
//! let train = imagenet.split("train")?;
//! let order: Vec<usize> = (0..train.len()).collect(); // shuffle it per epoch
//! for batch in train.loader(order, 256, Augment::Train { seed: 1, epoch: 0 }, 8, 4) {
//!     let batch = batch?; // stop at the first unreadable image
//!     let [n, c, h, w] = batch.shape(); // [≤ 256, 3, 224, 224]
//!     // batch.images: n·c·h·w normalised f32, batch.labels: n u16
//! }
//! # Ok(())
//! # }
//! ```
//! The transforms are described in [`Augment`], the threading and the prefetch bound in
//! [`Loader`].

mod loader;
mod transform;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use loader::{Batch, Loader};
pub use transform::{Augment, CROP, IMAGENET_MEAN, IMAGENET_STD, RESIZE};

use crate::decode::read_rgb;
use crate::error::{DataError, Result};
use crate::fs;

/// What to do when a folder is missing.
const HINT: &str =
    "expected an ImageNet folder tree: <root>/train/<wnid>/*.JPEG and <root>/val/<wnid>/*.JPEG";

/// One image: its file and label.
#[derive(Debug)]
struct Sample {
    path: PathBuf,
    label: u16,
}

/// An image-folder dataset: its classes and its `train` and `val` splits.
#[derive(Debug, Clone)]
pub struct ImageFolder {
    classes: Vec<String>,
    train: FolderSplit,
    val: FolderSplit,
}

/// The images of one split of an [`ImageFolder`]: paths and labels only, decoded on demand.
/// Cheap to clone (the list is shared).
#[derive(Debug, Clone)]
pub struct FolderSplit {
    samples: Arc<[Sample]>,
    classes: usize,
}

impl ImageFolder {
    /// List `root/train/` and `root/val/`: errors if either is missing, if their class folders
    /// differ (naming a class missing from one), or if a class folder holds no image.
    pub fn open(root: &Path) -> Result<Self> {
        let train_dir = root.join("train");
        let val_dir = root.join("val");
        let classes = fs::subfolders(&train_dir, HINT)?;
        let val_classes = fs::subfolders(&val_dir, HINT)?;
        check_same_classes(&classes, &train_dir, &val_classes, &val_dir)?;
        if classes.len() > usize::from(u16::MAX) {
            return Err(DataError::malformed(
                train_dir.display().to_string(),
                format!(
                    "{} class folders, at most 65535 are supported",
                    classes.len()
                ),
            ));
        }
        Ok(Self {
            train: FolderSplit::list(&train_dir, &classes)?,
            val: FolderSplit::list(&val_dir, &classes)?,
            classes,
        })
    }

    /// The class names (folder names), sorted; label `i` is `classes()[i]`.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The split `"train"` or `"val"`.
    pub fn split(&self, name: &str) -> Result<&FolderSplit> {
        match name {
            "train" => Ok(&self.train),
            "val" => Ok(&self.val),
            other => Err(DataError::malformed(
                "image folder",
                format!("no split `{other}`: expected train or val"),
            )),
        }
    }
}

/// Both splits must have exactly the same class folders.
fn check_same_classes(
    train: &[String],
    train_dir: &Path,
    val: &[String],
    val_dir: &Path,
) -> Result<()> {
    let missing = |from: &[String], other: &[String], dir: &Path| {
        other
            .iter()
            .find(|c| from.binary_search(c).is_err())
            .map(|c| {
                DataError::malformed(
                    dir.display().to_string(),
                    format!("has no class folder {c}, which the other split has"),
                )
            })
    };
    match missing(val, train, val_dir).or_else(|| missing(train, val, train_dir)) {
        Some(e) => Err(e),
        None if train.is_empty() => Err(DataError::malformed(
            train_dir.display().to_string(),
            "has no class folders",
        )),
        None => Ok(()),
    }
}

impl FolderSplit {
    /// The images of `dir/<class>/` for each of `classes`, class by class.
    fn list(dir: &Path, classes: &[String]) -> Result<Self> {
        let mut samples = Vec::new();
        for (label, class) in (0u16..).zip(classes) {
            let class_dir = dir.join(class);
            let files = fs::image_files(&class_dir, HINT)?;
            if files.is_empty() {
                return Err(DataError::malformed(
                    class_dir.display().to_string(),
                    "holds no images",
                ));
            }
            samples.extend(files.into_iter().map(|path| Sample { path, label }));
        }
        Ok(Self {
            samples: samples.into(),
            classes: classes.len(),
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether the split has no images (never true for an opened [`ImageFolder`]).
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Number of classes (labels are `0..classes()`).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The file of image `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn path(&self, i: usize) -> &Path {
        &self.samples[i].path
    }

    /// The label of image `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn label(&self, i: usize) -> u16 {
        self.samples[i].label
    }

    /// Decode and transform image `i` on this thread: `3 × 224 × 224` normalised floats, CHW.
    /// An index out of range or a file that does not decode is an error naming it.
    pub fn load(&self, i: usize, augment: Augment) -> Result<Vec<f32>> {
        let sample = self.samples.get(i).ok_or_else(|| {
            DataError::malformed(
                "image folder",
                format!("image index {i} is out of range ({} images)", self.len()),
            )
        })?;
        Ok(transform::transform(
            &read_rgb(&sample.path, HINT)?,
            augment,
            i,
        ))
    }

    /// The file of image `i` for error messages, or its index if out of range.
    fn describe(&self, i: usize) -> String {
        self.samples.get(i).map_or_else(
            || format!("image index {i}"),
            |s| s.path.display().to_string(),
        )
    }

    /// Stream the images `order` (indices into this split, any order, repeats allowed) in batches
    /// of `batch` (the last one may be smaller), transformed by `augment` on `workers` threads,
    /// keeping up to `prefetch` batches decoded ahead of the consumer. `batch`, `workers` and
    /// `prefetch` are raised to at least 1. See [`Loader`].
    pub fn loader(
        &self,
        order: Vec<usize>,
        batch: usize,
        augment: Augment,
        workers: usize,
        prefetch: usize,
    ) -> Loader {
        Loader::start(self.clone(), order, batch, augment, workers, prefetch)
    }
}
