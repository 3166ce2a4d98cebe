//! CIFAR-100 in its binary format (`cifar-100-binary.tar.gz`).
//!
//! `train.bin` (50 000 images) and `test.bin` (10 000) are sequences of
//! 3074-byte records: the coarse label (superclass, 0..=19), the fine label
//! (class, 0..=99), then a 32×32 image as 1024 red, 1024 green and 1024 blue
//! bytes, each plane row-major. prunelab uses the fine label: 100 classes.

use crate::dataset::Split;
use crate::error::Result;
use crate::records::Records;

/// File name of the training set.
pub const CIFAR100_TRAIN_FILE: &str = "train.bin";
/// File name of the test set.
pub const CIFAR100_TEST_FILE: &str = "test.bin";

/// The record layout of CIFAR-100: coarse label, fine label (the class).
const CIFAR100: Records = Records {
    labels: &[("coarse label", 20), ("fine label", 100)],
    class_byte: 1,
};

/// Build the CIFAR-100 split from the contents of `train.bin` and `test.bin`.
pub fn cifar100_from_files(train: &[u8], test: &[u8]) -> Result<Split> {
    let mut train_set = CIFAR100.empty();
    CIFAR100.append(&mut train_set, train, CIFAR100_TRAIN_FILE)?;
    let mut test_set = CIFAR100.empty();
    CIFAR100.append(&mut test_set, test, CIFAR100_TEST_FILE)?;
    Ok(Split {
        train: train_set,
        test: test_set,
    })
}

/// Read CIFAR-100 from `train.bin` and `test.bin` in `dir`, or in
/// `dir/cifar-100-binary/` if that folder exists.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_cifar100(dir: &std::path::Path) -> Result<Split> {
    let root = crate::fs::nested_or(dir, "cifar-100-binary");
    let hint = format!(
        "run `prunelab data fetch cifar100`, or download the CIFAR-100 binary version \
         (cifar-100-binary.tar.gz) and unpack it into {}",
        dir.display()
    );
    let read = |name: &str| crate::fs::read(&root.join(name), &hint);
    cifar100_from_files(&read(CIFAR100_TRAIN_FILE)?, &read(CIFAR100_TEST_FILE)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One record: `coarse`, `fine`, then channel `c` at flat index `p` set to `(c * 80 + p) % 251`,
    /// shifted by `fine` so images differ.
    fn record(coarse: u8, fine: u8) -> Vec<u8> {
        let mut r = vec![coarse, fine];
        for c in 0..3 {
            r.extend((0..1024).map(|p| ((c * 80 + p + usize::from(fine)) % 251) as u8));
        }
        r
    }

    fn err(r: Result<Split>) -> String {
        r.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn parses_fine_labels_and_chw_pixels() {
        let train = [record(4, 0), record(19, 99), record(0, 57)].concat();
        let test = record(7, 42);
        let split = cifar100_from_files(&train, &test)
            .map_err(|e| e.to_string())
            .expect("valid files");
        assert_eq!((split.train.shape, split.train.classes), ([3, 32, 32], 100));
        assert_eq!(split.train.labels, [0, 99, 57]);
        assert_eq!(split.test.labels, [42]);
        // Image 1 (fine 99): red (0,0) = 99, green pixel (1,5) = 80 + 37 + 99, blue (0,3) = 160 + 3 + 99 - 251.
        let image = split.train.image(1);
        assert_eq!((image[0], image[1024 + 37], image[2048 + 3]), (99, 216, 11));
        assert_eq!(split.test.image(0), &record(7, 42)[2..]);
    }

    #[test]
    fn rejects_truncated_and_odd_sized_files() {
        let mut short = record(1, 1);
        short.pop();
        let e = err(cifar100_from_files(&short, &record(1, 1)));
        assert!(
            e.contains(
                "train.bin: truncated: 3073 bytes is not a whole number of 3074-byte records"
            ),
            "{e}"
        );
        let long = [record(1, 1), vec![0; 3073]].concat();
        let e = err(cifar100_from_files(&record(1, 1), &long));
        assert!(e.contains("test.bin: truncated: 6147 bytes"), "{e}");
        assert!(err(cifar100_from_files(&[], &record(1, 1))).contains("train.bin: empty"));
    }

    #[test]
    fn rejects_out_of_range_labels() {
        let e = err(cifar100_from_files(
            &[record(1, 1), record(3, 100)].concat(),
            &record(1, 1),
        ));
        assert!(
            e.contains("train.bin: record 1 has fine label 100, expected 0..=99"),
            "{e}"
        );
        let e = err(cifar100_from_files(&record(1, 1), &record(20, 1)));
        assert!(
            e.contains("test.bin: record 0 has coarse label 20, expected 0..=19"),
            "{e}"
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn load_reads_nested_folder_and_names_missing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let nested = dir.path().join("cifar-100-binary");
        std::fs::create_dir(&nested).expect("mkdir");
        std::fs::write(nested.join(CIFAR100_TRAIN_FILE), record(2, 5)).expect("write");
        let e = err(load_cifar100(dir.path()));
        assert!(e.contains("missing file") && e.contains("test.bin"), "{e}");
        std::fs::write(nested.join(CIFAR100_TEST_FILE), record(3, 6)).expect("write");
        let split = load_cifar100(dir.path())
            .map_err(|e| e.to_string())
            .expect("loads");
        assert_eq!((split.train.labels, split.test.labels), (vec![5], vec![6]));
    }
}
