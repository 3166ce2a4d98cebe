//! MNIST from its four standard IDX files.

use crate::dataset::{Dataset, Split};
use crate::error::{DataError, Result};
use crate::idx;

/// File name of the training images.
pub const MNIST_TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
/// File name of the training labels.
pub const MNIST_TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
/// File name of the test images.
pub const MNIST_TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
/// File name of the test labels.
pub const MNIST_TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

/// MNIST image side length.
const SIDE: usize = 28;
/// MNIST has ten classes, the digits 0..=9.
const CLASSES: usize = 10;

/// Build the MNIST train/test split from the contents of its four IDX files.
///
/// Images must be 28×28, each image file must have as many images as its
/// label file has labels, and every label must be a digit 0..=9.
pub fn mnist_from_idx_bytes(
    train_images: &[u8],
    train_labels: &[u8],
    test_images: &[u8],
    test_labels: &[u8],
) -> Result<Split> {
    Ok(Split {
        train: dataset(
            train_images,
            train_labels,
            MNIST_TRAIN_IMAGES,
            MNIST_TRAIN_LABELS,
        )?,
        test: dataset(
            test_images,
            test_labels,
            MNIST_TEST_IMAGES,
            MNIST_TEST_LABELS,
        )?,
    })
}

/// One MNIST part from an image file and a label file, named for errors.
fn dataset(images: &[u8], labels: &[u8], images_file: &str, labels_file: &str) -> Result<Dataset> {
    let (images, shape) = idx::parse_images(images).map_err(|e| e.in_file(images_file))?;
    if shape != [1, SIDE, SIDE] {
        return Err(DataError::malformed(
            images_file,
            format!(
                "expected {SIDE}×{SIDE} images, found {}×{}",
                shape[1], shape[2]
            ),
        ));
    }
    let labels = idx::parse_labels(labels).map_err(|e| e.in_file(labels_file))?;
    let n_images = images.len() / (SIDE * SIDE);
    if labels.len() != n_images {
        return Err(DataError::malformed(
            labels_file,
            format!(
                "has {} labels but {images_file} has {n_images} images",
                labels.len()
            ),
        ));
    }
    if let Some((i, label)) = labels
        .iter()
        .enumerate()
        .find(|&(_, &l)| usize::from(l) >= CLASSES)
    {
        return Err(DataError::malformed(
            labels_file,
            format!("label {label} at index {i} is not a digit 0..=9"),
        ));
    }
    Ok(Dataset {
        images,
        labels: labels.into_iter().map(u16::from).collect(),
        shape,
        classes: CLASSES,
    })
}

/// Read MNIST from the four standard IDX files in `dir`.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_mnist(dir: &std::path::Path) -> Result<Split> {
    const HINT: &str = "run `cargo xtask data` to create it";
    let read = |name: &str| crate::fs::read(&dir.join(name), HINT);
    mnist_from_idx_bytes(
        &read(MNIST_TRAIN_IMAGES)?,
        &read(MNIST_TRAIN_LABELS)?,
        &read(MNIST_TEST_IMAGES)?,
        &read(MNIST_TEST_LABELS)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idx::{write_images, write_labels};

    /// `n` 28×28 images whose pixels all equal their index.
    fn images(n: usize) -> Vec<u8> {
        let pixels: Vec<u8> = (0..n).flat_map(|i| [i as u8; SIDE * SIDE]).collect();
        write_images(n, SIDE, SIDE, &pixels)
    }

    fn err(r: Result<Split>) -> String {
        r.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn parses_a_split() {
        let split = mnist_from_idx_bytes(
            &images(3),
            &write_labels(&[5, 0, 9]),
            &images(1),
            &write_labels(&[2]),
        )
        .map_err(|e| e.to_string());
        let split = split.expect("valid MNIST bytes");
        assert_eq!(split.train.len(), 3);
        assert_eq!(split.train.shape, [1, 28, 28]);
        assert_eq!(split.train.classes, 10);
        assert_eq!(split.train.labels, [5, 0, 9]);
        assert!(split.train.image(2).iter().all(|&p| p == 2));
        assert_eq!(split.test.labels, [2]);
    }

    #[test]
    fn rejects_count_mismatch() {
        let e = err(mnist_from_idx_bytes(
            &images(3),
            &write_labels(&[1, 2]),
            &images(1),
            &write_labels(&[2]),
        ));
        assert!(
            e.contains(
                "train-labels-idx1-ubyte: has 2 labels but train-images-idx3-ubyte has 3 images"
            ),
            "{e}"
        );
    }

    #[test]
    fn rejects_wrong_size_and_label() {
        let small = write_images(1, 2, 2, &[0; 4]);
        let e = err(mnist_from_idx_bytes(
            &images(1),
            &write_labels(&[1]),
            &small,
            &write_labels(&[2]),
        ));
        assert!(
            e.contains("t10k-images-idx3-ubyte: expected 28×28 images, found 2×2"),
            "{e}"
        );
        let e = err(mnist_from_idx_bytes(
            &images(2),
            &write_labels(&[1, 10]),
            &images(1),
            &write_labels(&[2]),
        ));
        assert!(e.contains("label 10 at index 1"), "{e}");
    }

    #[test]
    fn names_the_file_of_a_parse_error() {
        let e = err(mnist_from_idx_bytes(
            &images(1),
            &write_labels(&[1]),
            &images(1),
            &[0, 0, 8, 3],
        ));
        assert!(e.contains("t10k-labels-idx1-ubyte: bad magic"), "{e}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn load_reports_missing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(MNIST_TRAIN_IMAGES), images(1)).expect("write");
        let e = err(load_mnist(dir.path()));
        assert!(
            e.contains("missing file") && e.contains(MNIST_TRAIN_LABELS),
            "{e}"
        );
        assert!(e.contains("cargo xtask data"), "{e}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn load_reads_the_standard_names() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, bytes) in [
            (MNIST_TRAIN_IMAGES, images(2)),
            (MNIST_TRAIN_LABELS, write_labels(&[1, 2])),
            (MNIST_TEST_IMAGES, images(1)),
            (MNIST_TEST_LABELS, write_labels(&[3])),
        ] {
            std::fs::write(dir.path().join(name), bytes).expect("write");
        }
        let split = load_mnist(dir.path())
            .map_err(|e| e.to_string())
            .expect("loads");
        assert_eq!(
            (split.train.labels, split.test.labels),
            (vec![1, 2], vec![3])
        );
    }
}
