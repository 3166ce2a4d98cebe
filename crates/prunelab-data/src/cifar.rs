//! CIFAR-10 in its binary format.
//!
//! Each file is a sequence of 3073-byte records: one label byte (0..=9)
//! followed by a 32×32 image as 1024 red, 1024 green, then 1024 blue bytes,
//! each plane row-major. That is already CHW, so records are copied as is.

use crate::dataset::Split;
use crate::error::{DataError, Result};
use crate::records::Records;

/// File names of the five training batches.
pub const CIFAR10_TRAIN_FILES: [&str; 5] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
];
/// File name of the test batch.
pub const CIFAR10_TEST_FILE: &str = "test_batch.bin";

/// The record layout of CIFAR-10: one label byte, 0..=9.
const CIFAR10: Records = Records {
    labels: &[("label", 10)],
    class_byte: 0,
};

/// Build the CIFAR-10 split from the contents of the training batch files
/// (in order, `data_batch_1.bin` first) and of `test_batch.bin`.
pub fn cifar10_from_batches(train: &[&[u8]], test: &[u8]) -> Result<Split> {
    if train.is_empty() {
        return Err(DataError::malformed(
            "CIFAR-10 training set",
            "no training batches given",
        ));
    }
    let mut train_set = CIFAR10.empty();
    for (i, batch) in train.iter().enumerate() {
        CIFAR10.append(&mut train_set, batch, &format!("data_batch_{}.bin", i + 1))?;
    }
    let mut test_set = CIFAR10.empty();
    CIFAR10.append(&mut test_set, test, CIFAR10_TEST_FILE)?;
    Ok(Split {
        train: train_set,
        test: test_set,
    })
}

/// Read CIFAR-10 from `data_batch_1.bin` … `data_batch_5.bin` and
/// `test_batch.bin` in `dir`, or in `dir/cifar-10-batches-bin/` if that folder exists.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_cifar10(dir: &std::path::Path) -> Result<Split> {
    let root = crate::fs::nested_or(dir, "cifar-10-batches-bin");
    let hint = format!(
        "download the CIFAR-10 binary version (cifar-10-binary.tar.gz) and unpack it into {}",
        dir.display()
    );
    let read = |name: &str| crate::fs::read(&root.join(name), &hint);
    let train = CIFAR10_TRAIN_FILES
        .iter()
        .map(|name| read(name))
        .collect::<Result<Vec<_>>>()?;
    let train: Vec<&[u8]> = train.iter().map(Vec::as_slice).collect();
    cifar10_from_batches(&train, &read(CIFAR10_TEST_FILE)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One record: `label`, then every pixel of channel `c` at flat index `p` set to `f(c, p)`.
    fn record(label: u8, f: impl Fn(usize, usize) -> u8) -> Vec<u8> {
        let mut r = vec![label];
        for c in 0..3 {
            r.extend((0..1024).map(|p| f(c, p)));
        }
        r
    }

    /// A record whose red pixel (0,1) is `marker` and everything else is 0.
    fn marked(label: u8, marker: u8) -> Vec<u8> {
        record(label, |c, p| if c == 0 && p == 1 { marker } else { 0 })
    }

    fn err(r: Result<Split>) -> String {
        r.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn parses_records_in_chw_order() {
        let b1 = [marked(3, 10), marked(7, 11)].concat();
        let b2 = [marked(0, 12), record(9, |c, p| (c * 100 + p % 100) as u8)].concat();
        let test = [marked(1, 20), marked(2, 21)].concat();
        let split = cifar10_from_batches(&[&b1, &b2], &test)
            .map_err(|e| e.to_string())
            .expect("valid batches");
        let train = &split.train;
        assert_eq!((train.shape, train.classes), ([3, 32, 32], 10));
        assert_eq!(train.labels, [3, 7, 0, 9]);
        assert_eq!(split.test.labels, [1, 2]);
        for (i, marker) in [10, 11, 12].into_iter().enumerate() {
            assert_eq!(train.images[i * 3072 + 1], marker, "red (0,1) of image {i}");
        }
        assert_eq!(split.test.images[3072 + 1], 21);
        // Image 3: green plane starts at 1024, blue at 2048; pixel (1, 5) is flat index 37.
        assert_eq!(train.image(3)[1024 + 37], 137);
        assert_eq!(train.image(3)[2048 + 37], 237);
    }

    #[test]
    fn rejects_truncated_batch() {
        let mut b = marked(1, 0);
        b.pop();
        let e = err(cifar10_from_batches(&[&marked(1, 0), &b], &marked(1, 0)));
        assert!(
            e.contains(
                "data_batch_2.bin: truncated: 3072 bytes is not a whole number of 3073-byte records"
            ),
            "{e}"
        );
    }

    #[test]
    fn rejects_bad_label_and_empty_input() {
        let test = [marked(1, 0), marked(10, 0)].concat();
        let e = err(cifar10_from_batches(&[&marked(1, 0)], &test));
        assert!(e.contains("test_batch.bin: record 1 has label 10"), "{e}");
        assert!(err(cifar10_from_batches(&[], &marked(1, 0))).contains("no training batches"));
        assert!(
            err(cifar10_from_batches(&[&[]], &marked(1, 0))).contains("data_batch_1.bin: empty")
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn load_reads_nested_folder_and_names_missing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let nested = dir.path().join("cifar-10-batches-bin");
        std::fs::create_dir(&nested).expect("mkdir");
        for (i, name) in CIFAR10_TRAIN_FILES.iter().enumerate() {
            std::fs::write(nested.join(name), marked(i as u8, 0)).expect("write");
        }
        let e = err(load_cifar10(dir.path()));
        assert!(
            e.contains("missing file") && e.contains("test_batch.bin"),
            "{e}"
        );
        std::fs::write(nested.join(CIFAR10_TEST_FILE), marked(9, 0)).expect("write");
        let split = load_cifar10(dir.path())
            .map_err(|e| e.to_string())
            .expect("loads");
        assert_eq!(
            (split.train.labels, split.test.labels),
            (vec![0, 1, 2, 3, 4], vec![9])
        );
    }
}
