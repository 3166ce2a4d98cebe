//! In-memory image datasets.

/// A labelled image dataset held as uint8 pixels.
///
/// Image `i` occupies `images[i * image_len() .. (i + 1) * image_len()]`,
/// stored channel-major (CHW): all of channel 0 row by row, then channel 1, …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Pixels of all images, concatenated.
    pub images: Vec<u8>,
    /// One class label per image (`u16`: ImageNet has 1000 classes).
    pub labels: Vec<u16>,
    /// Shape of one image: `[channels, height, width]`.
    pub shape: [usize; 3],
    /// Number of classes (labels are `0..classes`).
    pub classes: usize,
}

/// A train/test pair of datasets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The training set.
    pub train: Dataset,
    /// The held-out test set.
    pub test: Dataset,
}

impl Dataset {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the dataset has no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of pixel values in one image (`c * h * w`).
    pub fn image_len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The pixels of image `i` (CHW).
    ///
    /// # Panics
    /// If `i >= self.len()`, like slice indexing.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.image_len();
        &self.images[i * n..(i + 1) * n]
    }

    /// The first `n` images, or all of them if `n == 0` or `n >= len()`.
    pub fn subset(&self, n: usize) -> Dataset {
        let n = if n == 0 {
            self.len()
        } else {
            n.min(self.len())
        };
        Dataset {
            images: self.images[..n * self.image_len()].to_vec(),
            labels: self.labels[..n].to_vec(),
            shape: self.shape,
            classes: self.classes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Dataset {
        Dataset {
            images: vec![1, 1, 2, 2, 3, 3],
            labels: vec![7, 8, 9],
            shape: [2, 1, 1],
            classes: 10,
        }
    }

    #[test]
    fn image_slices_by_shape() {
        let d = three();
        assert_eq!(d.len(), 3);
        assert_eq!(d.image_len(), 2);
        assert_eq!(d.image(1), &[2, 2]);
    }

    #[test]
    fn subset_takes_prefix_or_all() {
        let d = three();
        let s = d.subset(2);
        assert_eq!((s.images, s.labels), (vec![1, 1, 2, 2], vec![7, 8]));
        assert_eq!(d.subset(0), d);
        assert_eq!(d.subset(99), d);
    }
}
