//! The streaming ImageNet folder loader on generated trees: the eval transform against values
//! computed independently, reproducible train augmentation, batch order with prefetching, and
//! errors (a class missing from a split, a corrupt JPEG) that end the stream instead of hanging.

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use common::{solid, write_jpeg};
use image::RgbImage;
use prunelab_data::{
    Augment, Batch, FolderSplit, IMAGENET_MEAN, IMAGENET_STD, ImageFolder, Result,
};

const CLASSES: [&str; 3] = ["n01", "n02", "n03"];
const SIDE: usize = 224;

/// A `width × height` image whose pixel (x, y) is `f(x, y)`.
fn gradient(width: u32, height: u32, f: impl Fn(u32, u32) -> [u8; 3]) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| image::Rgb(f(x, y)))
}

/// Three classes in train and val. Train: 3 small images per class with a diagonal gradient
/// (so crops and flips show). Val of `n01`: a 512×512 gradient (R = x/2, G = y/2, B = 77) and a
/// 256×320 one (R = x, G = y − 48 clamped, B = 150); val of the others: one solid image each.
fn tree(root: &Path) {
    for (c, class) in CLASSES.iter().enumerate() {
        for k in 0..3u32 {
            let image = gradient(60 + 10 * k, 48, |x, y| {
                [(3 * x) as u8, (4 * y) as u8, 50 * c as u8]
            });
            write_jpeg(
                &root.join(format!("train/{class}/{class}_{k}.JPEG")),
                &image,
            );
        }
        if c > 0 {
            write_jpeg(
                &root.join(format!("val/{class}/v.JPEG")),
                &solid(300, 200, [30, 60, 90]),
            );
        }
    }
    write_jpeg(
        &root.join("val/n01/a.JPEG"),
        &gradient(512, 512, |x, y| [(x / 2) as u8, (y / 2) as u8, 77]),
    );
    write_jpeg(
        &root.join("val/n01/b.JPEG"),
        &gradient(256, 320, |x, y| {
            [x as u8, y.saturating_sub(48).min(255) as u8, 150]
        }),
    );
    std::fs::write(root.join("train/n01/notes.txt"), "not an image").expect("write");
}

fn open(root: &Path) -> ImageFolder {
    ImageFolder::open(root)
        .map_err(|e| e.to_string())
        .expect("opens")
}

fn split<'a>(folder: &'a ImageFolder, name: &str) -> &'a FolderSplit {
    folder
        .split(name)
        .map_err(|e| e.to_string())
        .expect("split exists")
}

/// Channel `c` at (x, y) of a transformed image, back in pixel levels 0..=255.
fn level(image: &[f32], c: usize, x: usize, y: usize) -> f32 {
    (image[(c * SIDE + y) * SIDE + x] * IMAGENET_STD[c] + IMAGENET_MEAN[c]) * 255.0
}

/// The largest absolute difference between `image` and `want(c, x, y)` (levels), and the largest
/// per-channel mean difference (a crop one pixel off shifts a gradient channel's mean by ≥ 1).
fn compare(image: &[f32], want: impl Fn(usize, usize, usize) -> f32) -> (f32, f32) {
    let mut max: f32 = 0.0;
    let mut bias: f32 = 0.0;
    for c in 0..3 {
        let mut sum = 0.0;
        for y in 0..SIDE {
            for x in 0..SIDE {
                let d = level(image, c, x, y) - want(c, x, y);
                max = max.max(d.abs());
                sum += d;
            }
        }
        bias = bias.max((sum / (SIDE * SIDE) as f32).abs());
    }
    (max, bias)
}

fn load(split: &FolderSplit, i: usize, augment: Augment) -> Vec<f32> {
    split
        .load(i, augment)
        .map_err(|e| e.to_string())
        .expect("image loads")
}

/// Run `loader` to the end on another thread; fail instead of hanging.
fn collect(
    split: &FolderSplit,
    order: Vec<usize>,
    batch: usize,
    augment: Augment,
    workers: usize,
) -> Vec<Result<Batch>> {
    let (send, receive) = mpsc::channel();
    let loader = split.loader(order, batch, augment, workers, 2);
    std::thread::spawn(move || send.send(loader.collect::<Vec<_>>()));
    receive
        .recv_timeout(Duration::from_secs(120))
        .expect("the loader finishes")
}

#[test]
fn lists_sorted_classes_and_images() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let folder = open(tmp.path());
    assert_eq!(folder.classes(), CLASSES);
    let train = split(&folder, "train");
    assert_eq!((train.len(), train.classes()), (9, 3));
    assert_eq!(
        (0..9).map(|i| train.label(i)).collect::<Vec<_>>(),
        [0, 0, 0, 1, 1, 1, 2, 2, 2]
    );
    assert!(train.path(4).ends_with("train/n02/n02_1.JPEG"));
    let val = split(&folder, "val");
    assert!(val.path(0).ends_with("val/n01/a.JPEG") && val.path(1).ends_with("val/n01/b.JPEG"));
    let e = folder
        .split("test")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("no split `test`"), "{e}");
}

#[test]
fn eval_is_resize_256_and_centre_crop_224() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let folder = open(tmp.path());
    let val = split(&folder, "val");
    // 512×512 → 256×256 (each output pixel averages source x ∈ {2i−1, …, 2i+2} with weights
    // 1, 3, 3, 1, so ⌊x/2⌋ becomes exactly i), then the crop starts at 16 on both axes.
    let image = load(val, 0, Augment::Eval);
    assert_eq!(image.len(), 3 * SIDE * SIDE);
    let (max, bias) = compare(&image, |c, x, y| {
        [(x + 16) as f32, (y + 16) as f32, 77.0][c]
    });
    assert!(max <= 3.0 && bias < 0.25, "max {max}, bias {bias}");
    // 256×320 is not resized; the crop starts at x = 16, y = round(96 / 2) = 48.
    let image = load(val, 1, Augment::Eval);
    let (max, bias) = compare(&image, |c, x, y| [(x + 16) as f32, y as f32, 150.0][c]);
    assert!(max <= 3.0 && bias < 0.25, "max {max}, bias {bias}");
    // A solid 300×200 image stays solid whatever the resampling.
    let image = load(val, 2, Augment::Eval);
    let (max, _) = compare(&image, |c, _, _| [30.0, 60.0, 90.0][c]);
    assert!(max <= 3.0, "max {max}");
}

#[test]
fn train_augmentation_depends_only_on_seed_epoch_and_image() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let folder = open(tmp.path());
    let train = split(&folder, "train");
    let aug = |seed, epoch| Augment::Train { seed, epoch };
    let first = load(train, 4, aug(7, 0));
    assert_eq!(first.len(), 3 * SIDE * SIDE);
    assert_eq!(first, load(train, 4, aug(7, 0)));
    assert_ne!(first, load(train, 4, aug(7, 1)));
    assert_ne!(first, load(train, 4, aug(8, 0)));
    // Through the loader, in another order and on several threads: the same images.
    let batches = collect(train, vec![8, 4, 0, 4], 3, aug(7, 0), 3);
    let images: Vec<f32> = batches
        .into_iter()
        .flat_map(|b| b.map_err(|e| e.to_string()).expect("batch").images)
        .collect();
    assert_eq!(images[3 * SIDE * SIDE..2 * 3 * SIDE * SIDE], first);
    assert_eq!(images[3 * 3 * SIDE * SIDE..], first);
    assert_eq!(images[..3 * SIDE * SIDE], load(train, 8, aug(7, 0)));
    // Red grows with x in the source: each crop's rows rise left to right, or fall when flipped;
    // over 16 epochs both happen.
    let mut flips = [0; 2];
    for epoch in 0..16 {
        let image = load(train, 4, aug(7, epoch));
        let red = |xs: std::ops::Range<usize>| xs.map(|x| level(&image, 0, x, 100)).sum::<f32>();
        let (start, end) = (red(0..8), red(SIDE - 8..SIDE));
        flips[usize::from(start > end)] += 1;
    }
    assert!(
        flips[0] > 0 && flips[1] > 0,
        "unflipped / flipped: {flips:?}"
    );
}

#[test]
fn batches_come_in_the_requested_order() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let folder = open(tmp.path());
    let train = split(&folder, "train");
    let order = vec![5, 0, 8, 3, 3, 1, 7];
    let batches: Vec<Batch> = collect(train, order.clone(), 3, Augment::Eval, 4)
        .into_iter()
        .map(|b| b.map_err(|e| e.to_string()).expect("batch"))
        .collect();
    assert_eq!(
        batches
            .iter()
            .map(|b| b.indices.clone())
            .collect::<Vec<_>>(),
        [vec![5, 0, 8], vec![3, 3, 1], vec![7]]
    );
    for (batch, chunk) in batches.iter().zip(order.chunks(3)) {
        assert_eq!(batch.shape(), [chunk.len(), 3, SIDE, SIDE]);
        assert_eq!(
            batch.labels,
            chunk.iter().map(|&i| train.label(i)).collect::<Vec<_>>()
        );
        let want: Vec<f32> = chunk
            .iter()
            .flat_map(|&i| load(train, i, Augment::Eval))
            .collect();
        assert!(
            batch.images == want,
            "batch {:?} has other pixels",
            batch.indices
        );
    }
    // Zero workers (raised to 1) and a batch larger than the order.
    let one = collect(train, vec![2, 1], 10, Augment::Eval, 0);
    assert_eq!(one.len(), 1);
    assert!(collect(train, Vec::new(), 4, Augment::Eval, 2).is_empty());
}

#[test]
fn a_class_missing_from_a_split_is_an_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    std::fs::remove_dir_all(tmp.path().join("val/n02")).expect("remove");
    let e = ImageFolder::open(tmp.path())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("val") && e.contains("has no class folder n02"),
        "{e}"
    );
    std::fs::create_dir_all(tmp.path().join("val/n02")).expect("mkdir");
    let e = ImageFolder::open(tmp.path())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("n02: holds no images"), "{e}");
    std::fs::remove_dir_all(tmp.path().join("val")).expect("remove");
    let e = ImageFolder::open(tmp.path())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("missing file") && e.contains("val"), "{e}");
}

#[test]
fn a_corrupt_jpeg_ends_the_stream_with_an_error_naming_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let bad = tmp.path().join("train/n02/n02_1.JPEG");
    std::fs::write(&bad, b"\xff\xd8\xff\xe0 truncated").expect("write");
    let folder = open(tmp.path());
    let train = split(&folder, "train");
    // Image 4 is the corrupt one: batches [0, 1] and [2, 3] come out, then the error, then nothing.
    for workers in [1, 4] {
        let results = collect(
            train,
            (0..9).collect(),
            2,
            Augment::Train { seed: 1, epoch: 0 },
            workers,
        );
        assert_eq!(results.len(), 3, "{workers} workers");
        assert!(results[..2].iter().all(Result::is_ok));
        let e = results[2]
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            e.contains(&bad.display().to_string()) && e.contains("cannot decode image"),
            "{e}"
        );
    }
    // An index out of range is an error too.
    let results = collect(train, vec![0, 99], 1, Augment::Eval, 2);
    let e = results
        .last()
        .and_then(|r| r.as_ref().err())
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        results.len() == 2 && e.contains("image index 99 is out of range (9 images)"),
        "{e}"
    );
}
