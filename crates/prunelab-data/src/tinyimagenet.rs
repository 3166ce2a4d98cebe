//! TinyImageNet (Stanford CS231n, `tiny-imagenet-200.zip` unpacked): 200 classes of 64×64 RGB.
//!
//! The standard layout, in `dir` or `dir/tiny-imagenet-200/`:
//! - `wnids.txt`: the 200 WordNet ids (e.g. `n01443537`), one per line;
//! - `train/<wnid>/images/*.JPEG`: 500 training images per class (`<wnid>_boxes.txt` is ignored);
//! - `val/images/*.JPEG` and `val/val_annotations.txt`: 10 000 validation images, one line each,
//!   `<file>\t<wnid>\t<x0>\t<y0>\t<x1>\t<y1>` (only the first two fields are read).
//!
//! `test/` has no labels, so the validation images are the [`Split::test`] set.
//!
//! Labels are the positions of the wnids in sorted order — the class indices torchvision's
//! `ImageFolder` gives `train/`. Training images come class by class, sorted by file name within
//! a class; validation images in the order of `val_annotations.txt`. Images are decoded on all
//! cores; a greyscale image (there are some) becomes RGB and an image of another size is resized
//! to 64×64 (bilinear). A file that does not decode is an error naming it.

use std::path::{Path, PathBuf};

use image::imageops::{FilterType, resize};

use crate::dataset::{Dataset, Split};
use crate::decode::{cores, fill_parallel, read_rgb, to_chw};
use crate::error::{DataError, Result};
use crate::fs;

/// Image side length.
const SIDE: u32 = 64;
/// Bytes per image (CHW).
const IMAGE_LEN: usize = 3 * 64 * 64;
/// What to do when a file is missing.
const HINT: &str = "download tiny-imagenet-200.zip and unzip it into the tinyimagenet data folder";

/// Read TinyImageNet from `dir` (or `dir/tiny-imagenet-200/`); see the module docs.
pub fn load_tinyimagenet(dir: &Path) -> Result<Split> {
    let root = fs::nested_or(dir, "tiny-imagenet-200");
    let wnids = read_wnids(&root.join("wnids.txt"))?;
    let train = train_files(&root.join("train"), &wnids)?;
    let val = val_files(&root.join("val"), &wnids)?;
    Ok(Split {
        train: decode_all(&train, wnids.len())?,
        test: decode_all(&val, wnids.len())?,
    })
}

/// The wnids listed in `path`, sorted (their positions are the labels).
fn read_wnids(path: &Path) -> Result<Vec<String>> {
    let text = String::from_utf8_lossy(&fs::read(path, HINT)?).into_owned();
    let mut wnids: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    wnids.sort();
    let file = path.display().to_string();
    if wnids.is_empty() {
        return Err(DataError::malformed(file, "lists no wnids"));
    }
    if let Some(pair) = wnids.windows(2).find(|p| p[0] == p[1]) {
        return Err(DataError::malformed(
            file,
            format!("lists {} twice", pair[0]),
        ));
    }
    if wnids.len() > usize::from(u16::MAX) {
        return Err(DataError::malformed(
            file,
            format!("lists {} wnids, at most 65535 are supported", wnids.len()),
        ));
    }
    Ok(wnids)
}

/// `(file, label)` of every training image: class by class, sorted by name within a class.
fn train_files(train: &Path, wnids: &[String]) -> Result<Vec<(PathBuf, u16)>> {
    let mut files = Vec::new();
    for (label, wnid) in (0u16..).zip(wnids) {
        let dir = train.join(wnid).join("images");
        let images = fs::image_files(&dir, HINT)?;
        if images.is_empty() {
            return Err(DataError::malformed(
                dir.display().to_string(),
                "holds no images",
            ));
        }
        files.extend(images.into_iter().map(|p| (p, label)));
    }
    Ok(files)
}

/// `(file, label)` of every validation image, in the order of `val/val_annotations.txt`.
fn val_files(val: &Path, wnids: &[String]) -> Result<Vec<(PathBuf, u16)>> {
    let path = val.join("val_annotations.txt");
    let text = String::from_utf8_lossy(&fs::read(&path, HINT)?).into_owned();
    let name = path.display().to_string();
    let mut files = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let mut fields = line.split_whitespace();
        let (Some(file), Some(wnid)) = (fields.next(), fields.next()) else {
            return Err(DataError::malformed(
                &name,
                format!("line {}: expected `<file> <wnid> …`", n + 1),
            ));
        };
        let label = wnids
            .binary_search_by(|w| w.as_str().cmp(wnid))
            .map_err(|_| {
                DataError::malformed(
                    &name,
                    format!("line {}: wnid {wnid} is not in wnids.txt", n + 1),
                )
            })?;
        files.push((val.join("images").join(file), label as u16));
    }
    if files.is_empty() {
        return Err(DataError::malformed(name, "lists no images"));
    }
    Ok(files)
}

/// Decode `files` into a dataset of 64×64 RGB images on all cores.
fn decode_all(files: &[(PathBuf, u16)], classes: usize) -> Result<Dataset> {
    let mut images = vec![0u8; files.len() * IMAGE_LEN];
    fill_parallel(&mut images, IMAGE_LEN, cores(), |i, out| {
        let mut rgb = read_rgb(&files[i].0, HINT)?;
        if rgb.dimensions() != (SIDE, SIDE) {
            rgb = resize(&rgb, SIDE, SIDE, FilterType::Triangle);
        }
        to_chw(&rgb, out);
        Ok(())
    })?;
    Ok(Dataset {
        images,
        labels: files.iter().map(|&(_, label)| label).collect(),
        shape: [3, SIDE as usize, SIDE as usize],
        classes,
    })
}
