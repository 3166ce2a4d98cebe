//! TinyImageNet: a generated tree in the standard layout loads with the right labels and pixels;
//! corrupt images and missing annotations are errors that say which file.

mod common;

use std::path::Path;

use common::{solid, write_jpeg};
use image::{GrayImage, Luma};
use prunelab_data::{Split, load_tinyimagenet};

/// Colour of training image `k` of the class at sorted position `label`.
fn colour(label: u16, k: u16) -> [u8; 3] {
    [40 + 80 * label as u8, 30 + 100 * k as u8, 120]
}

/// Three classes listed out of order in `wnids.txt`, two training images each (the second image
/// of `n03` greyscale, the first of `n01` 32×32), and three validation images.
fn tree(root: &Path) {
    std::fs::create_dir_all(root).expect("mkdir");
    std::fs::write(root.join("wnids.txt"), "n02\nn01\nn03\n").expect("write wnids");
    for (label, wnid) in [(0u16, "n01"), (1, "n02"), (2, "n03")] {
        for k in 0..2u16 {
            let path = root.join(format!("train/{wnid}/images/{wnid}_{k}.JPEG"));
            write_jpeg(&path, &solid(64, 64, colour(label, k)));
        }
        std::fs::write(
            root.join(format!("train/{wnid}/{wnid}_boxes.txt")),
            "ignored",
        )
        .expect("write boxes");
    }
    write_jpeg(
        &root.join("train/n01/images/n01_0.JPEG"),
        &solid(32, 32, colour(0, 0)),
    );
    let grey = GrayImage::from_pixel(64, 64, Luma([77]));
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 100)
        .encode_image(&grey)
        .expect("encode");
    std::fs::write(root.join("train/n03/images/n03_1.JPEG"), bytes).expect("write grey");
    // Validation: left half one colour, right half another (8×8-block aligned, so JPEG keeps them).
    for i in 0..3 {
        let mut image = solid(64, 64, [10, 20, 30]);
        for y in 0..64 {
            for x in 32..64 {
                image.put_pixel(x, y, image::Rgb([200, 100 + 50 * i as u8, 0]));
            }
        }
        write_jpeg(&root.join(format!("val/images/val_{i}.JPEG")), &image);
    }
    let annotations = "val_0.JPEG\tn03\t0\t0\t10\t10\nval_1.JPEG\tn01\t1\t2\t30\t40\nval_2.JPEG\tn03\t5\t5\t60\t60\n";
    std::fs::write(root.join("val/val_annotations.txt"), annotations).expect("write annotations");
}

/// Whether `a` and `b` differ by at most `tolerance` (JPEG is lossy).
fn near(a: u8, b: u8, tolerance: u8) -> bool {
    a.abs_diff(b) <= tolerance
}

fn load(root: &Path) -> Result<Split, String> {
    load_tinyimagenet(root).map_err(|e| e.to_string())
}

/// Pixel (x, y) of image `i` as RGB.
fn pixel(set: &prunelab_data::Dataset, i: usize, x: usize, y: usize) -> [u8; 3] {
    let image = set.image(i);
    [0, 1, 2].map(|c| image[c * 64 * 64 + y * 64 + x])
}

#[test]
fn loads_a_generated_tree_with_sorted_wnid_labels() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let split = load(tmp.path()).expect("loads");
    let (train, test) = (&split.train, &split.test);
    assert_eq!(
        (train.shape, train.classes, test.shape, test.classes),
        ([3, 64, 64], 3, [3, 64, 64], 3)
    );
    assert_eq!(train.labels, [0, 0, 1, 1, 2, 2]);
    assert_eq!(test.labels, [2, 0, 2]);
    for i in 0..5 {
        let (label, k) = (train.labels[i], i as u16 % 2);
        for (x, y) in [(0, 0), (63, 63), (17, 40)] {
            let got = pixel(train, i, x, y);
            let want = colour(label, k);
            assert!(
                (0..3).all(|c| near(got[c], want[c], 3)),
                "train {i} ({x},{y}): {got:?} vs {want:?}"
            );
        }
    }
    assert!(
        train.image(5).iter().all(|&p| near(p, 77, 1)),
        "greyscale image becomes grey RGB"
    );
    for i in 0..3 {
        let (left, right) = (pixel(test, i, 5, 9), pixel(test, i, 60, 9));
        assert!(
            (0..3).all(|c| near(left[c], [10, 20, 30][c], 3)),
            "val {i} left {left:?}"
        );
        let want = [200, 100 + 50 * i as u8, 0];
        assert!(
            (0..3).all(|c| near(right[c], want[c], 3)),
            "val {i} right {right:?}"
        );
    }
}

#[test]
fn reads_the_unzipped_folder_name_too() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(&tmp.path().join("tiny-imagenet-200"));
    assert_eq!(load(tmp.path()).expect("loads").train.len(), 6);
}

#[test]
fn a_corrupt_image_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let bad = tmp.path().join("train/n02/images/n02_1.JPEG");
    std::fs::write(&bad, b"\xff\xd8\xff\xe0 not really a JPEG").expect("write");
    let e = load(tmp.path()).err().unwrap_or_default();
    assert!(
        e.contains(&bad.display().to_string()) && e.contains("cannot decode image"),
        "{e}"
    );
}

#[test]
fn missing_or_bad_annotations_are_errors() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let annotations = tmp.path().join("val/val_annotations.txt");
    std::fs::write(&annotations, "val_0.JPEG\tn09\t0\t0\t1\t1\n").expect("write");
    let e = load(tmp.path()).err().unwrap_or_default();
    assert!(
        e.contains("val_annotations.txt: line 1: wnid n09 is not in wnids.txt"),
        "{e}"
    );
    std::fs::write(
        &annotations,
        "val_0.JPEG\tn01\t0\t0\t1\t1\nval_7.JPEG\tn01\n",
    )
    .expect("write");
    let e = load(tmp.path()).err().unwrap_or_default();
    assert!(
        e.contains("missing file") && e.contains("val_7.JPEG"),
        "{e}"
    );
    std::fs::remove_file(&annotations).expect("remove");
    let e = load(tmp.path()).err().unwrap_or_default();
    assert!(
        e.contains("missing file") && e.contains("val_annotations.txt"),
        "{e}"
    );
}

#[test]
fn a_missing_class_folder_is_an_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    std::fs::remove_dir_all(tmp.path().join("train/n02")).expect("remove");
    let e = load(tmp.path()).err().unwrap_or_default();
    assert!(e.contains("missing file") && e.contains("n02"), "{e}");
}
