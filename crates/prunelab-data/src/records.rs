//! The record layout shared by the CIFAR binary formats.
//!
//! A file is a sequence of fixed-size records: a few label bytes, then a
//! 32×32 RGB image as 1024 red, 1024 green and 1024 blue bytes, each plane
//! row-major. That is already CHW, so pixels are copied as they are.

use crate::dataset::Dataset;
use crate::error::{DataError, Result};

/// Image shape `[channels, height, width]`.
const SHAPE: [usize; 3] = [3, 32, 32];
/// Bytes per image.
const IMAGE_LEN: usize = 3 * 32 * 32;

/// One CIFAR record layout.
pub(crate) struct Records {
    /// The label bytes in file order: a name for errors and the exclusive
    /// upper bound of valid values (e.g. `("fine label", 100)`).
    pub labels: &'static [(&'static str, u8)],
    /// Which label byte is the class of the image.
    pub class_byte: usize,
}

impl Records {
    /// Bytes per record: labels + image.
    fn record_len(&self) -> usize {
        self.labels.len() + IMAGE_LEN
    }

    /// An empty dataset of this layout.
    pub fn empty(&self) -> Dataset {
        Dataset {
            images: Vec::new(),
            labels: Vec::new(),
            shape: SHAPE,
            classes: usize::from(self.labels[self.class_byte].1),
        }
    }

    /// Append the records of one file (named `file` in errors) to `set`.
    pub fn append(&self, set: &mut Dataset, bytes: &[u8], file: &str) -> Result<()> {
        let len = self.record_len();
        if bytes.is_empty() {
            return Err(DataError::malformed(
                file,
                format!("empty: expected at least one {len}-byte record"),
            ));
        }
        if !bytes.len().is_multiple_of(len) {
            return Err(DataError::malformed(
                file,
                format!(
                    "truncated: {} bytes is not a whole number of {len}-byte records",
                    bytes.len()
                ),
            ));
        }
        set.images.reserve(bytes.len() / len * IMAGE_LEN);
        for (i, record) in bytes.chunks_exact(len).enumerate() {
            let (labels, image) = record.split_at(self.labels.len());
            self.check_labels(labels, i, file)?;
            set.labels.push(u16::from(labels[self.class_byte]));
            set.images.extend_from_slice(image);
        }
        Ok(())
    }

    /// Every label byte of record `i` must be below its bound.
    fn check_labels(&self, labels: &[u8], i: usize, file: &str) -> Result<()> {
        for (&value, &(name, bound)) in labels.iter().zip(self.labels) {
            if value >= bound {
                return Err(DataError::malformed(
                    file,
                    format!("record {i} has {name} {value}, expected 0..={}", bound - 1),
                ));
            }
        }
        Ok(())
    }
}
