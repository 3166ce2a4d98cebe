//! ImageNet-format data end to end: `data = "imagenet"` streams an image-folder tree
//! (`train/<wnid>/`, `val/<wnid>/`) through the decoding workers into training — random-resized
//! 224 crops for training, resize 256 + centre crop 224 for evaluation — and bad trees stop the
//! run with one line.

mod common;

use std::path::Path;

use common::{config, prunelab, safetensors_raw, stderr};
use serde_json::Value;

/// A `w × h` RGB PNG of one colour per class, with a little texture.
fn write_png(path: &Path, w: u32, h: u32, class: usize) {
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let t = ((x + y) % 7) as u8 * 5;
            let rgb = [[200, 30, 30], [30, 200, 30], [30, 30, 200]][class % 3];
            pixels.extend(rgb.map(|c: u8| c.saturating_add(t)));
        }
    }
    let file = std::fs::File::create(path).expect("create png");
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .expect("header")
        .write_image_data(&pixels)
        .expect("pixels");
}

/// `per_class` images per class in each split, sizes varying around 48 × 40.
fn write_tree(root: &Path, per_class: (usize, usize)) {
    for (split, n) in [("train", per_class.0), ("val", per_class.1)] {
        for (class, wnid) in ["n01440764", "n01443537", "n01484850"].iter().enumerate() {
            let dir = root.join(split).join(wnid);
            std::fs::create_dir_all(&dir).expect("mkdir");
            for i in 0..n {
                write_png(
                    &dir.join(format!("{wnid}_{i}.png")),
                    48 + i as u32 * 3,
                    40 + i as u32,
                    class,
                );
            }
        }
    }
}

const CONFIG: &str = "model = \"resnet20\"\ndata = \"imagenet\"\ncycles = 1\nepochs = 1\nbatch = 4\nlr = 0.01\nbackend = \"flex\"\n";

#[test]
fn an_image_folder_tree_trains_at_224_and_bad_trees_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_tree(&data.join("imagenet"), (2, 1));
    let cfg = config(tmp.path(), CONFIG);
    let data_s = data.display().to_string();
    let out = tmp.path().join("run");
    let o = prunelab(&[
        "run",
        "--config",
        &cfg,
        "--out",
        &out.display().to_string(),
        "--data",
        &data_s,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("on imagenet (6 train / 0 validation / 3 test images)"),
        "{}",
        stderr(&o)
    );
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results"))
            .expect("json");
    assert_eq!(results["cycles"].as_array().map(Vec::len), Some(2));
    let ck = safetensors_raw(&out.join("cycle-01.safetensors"));
    assert!(ck.contains_key("conv.weight") && ck.contains_key("fc.weight"));
    // The classifier has one output per class folder.
    assert_eq!(ck["fc.weight"].1.len(), 3 * 64 * 4);

    // A class folder missing from val: one line, exit 2, nothing written.
    std::fs::remove_dir_all(data.join("imagenet/val/n01484850")).expect("rm");
    let out2 = tmp.path().join("run2");
    let o = prunelab(&[
        "run",
        "--config",
        &cfg,
        "--out",
        &out2.display().to_string(),
        "--data",
        &data_s,
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("n01484850"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
    assert!(!out2.exists());

    // A corrupt image stops the run with its name.
    write_tree(&data.join("imagenet"), (2, 1));
    let bad = data.join("imagenet/train/n01443537/n01443537_1.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\nnot really").expect("corrupt");
    let out3 = tmp.path().join("run3");
    let o = prunelab(&[
        "run",
        "--config",
        &cfg,
        "--out",
        &out3.display().to_string(),
        "--data",
        &data_s,
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("n01443537_1.png"),
        "{}",
        stderr(&o)
    );
    assert!(!out3.join("results.json").exists());
}
