//! Sizes and checkpoint contents checked before use: a huge `taylor_batches` / `snip_batches`, a
//! checkpoint whose metadata claims 10¹¹ classes, NaN weights, masks that are not 0/1, a
//! checkpoint without masks and an image file of no images each get a one-line error (exit 2)
//! or the right answer — never an abort, never a silently wrong DNR.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{config, prunelab, run, stderr, write_mnist};
use prunelab_data::idx;
use serde_json::{Value, json};

/// A safetensors file as (metadata, name → (header entry, bytes)).
type Tensors = (Value, BTreeMap<String, (Value, Vec<u8>)>);

fn read(path: &Path) -> Tensors {
    let bytes = std::fs::read(path).expect("read checkpoint");
    let len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header: BTreeMap<String, Value> =
        serde_json::from_slice(&bytes[8..8 + len]).expect("header");
    let data = &bytes[8 + len..];
    let mut meta = Value::Null;
    let mut tensors = BTreeMap::new();
    for (name, entry) in header {
        if name == "__metadata__" {
            meta = entry;
            continue;
        }
        let at = |i: usize| entry["data_offsets"][i].as_u64().expect("offset") as usize;
        let raw = data[at(0)..at(1)].to_vec();
        tensors.insert(name, (entry, raw));
    }
    (meta, tensors)
}

fn write(path: &Path, (meta, tensors): &Tensors) {
    let mut header = serde_json::Map::new();
    header.insert("__metadata__".into(), meta.clone());
    let mut data = Vec::new();
    for (name, (entry, raw)) in tensors {
        let mut entry = entry.clone();
        entry["data_offsets"] = json!([data.len(), data.len() + raw.len()]);
        header.insert(name.clone(), entry);
        data.extend_from_slice(raw);
    }
    let mut text = serde_json::to_vec(&Value::Object(header)).expect("header");
    while !text.len().is_multiple_of(8) {
        text.push(b' ');
    }
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend(text);
    out.extend(data);
    std::fs::write(path, out).expect("write checkpoint");
}

fn floats(raw: &[u8]) -> Vec<f32> {
    raw.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn dnr(ck: &Path, images: &Path) -> std::process::Output {
    prunelab(&[
        "dnr",
        "--model",
        "lenet300",
        "--checkpoint",
        &ck.display().to_string(),
        "--images",
        &images.display().to_string(),
    ])
}

#[test]
fn scoring_passes_larger_than_100_epochs_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_mnist(&data.join("mnist"), 200, 40);
    for (method, key) in [("taylor", "taylor_batches"), ("snip", "snip_batches")] {
        let cfg = config(
            tmp.path(),
            &format!("method = \"{method}\"\n{key} = 4000000000\ncycles = 1\nepochs = 1\n"),
        );
        let out = tmp.path().join(method);
        let o = run(&cfg, &out, &data);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "{key} (4000000000) × batch (64) is more than 100 epochs"
            )),
            "{err}"
        );
    }
}

#[test]
fn dnr_refuses_bad_checkpoints_and_reads_masks_from_zeros() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_mnist(&data.join("mnist"), 300, 60);
    let cfg = config(tmp.path(), "cycles = 1\nepochs = 1\np = 50\n");
    let out = tmp.path().join("run");
    let o = run(&cfg, &out, &data);
    assert!(o.status.success(), "{}", stderr(&o));
    let images = data.join("mnist").join("t10k-images-idx3-ubyte");
    // unit 0 of fc1 loses every incoming weight, and a negative bias keeps it at 0: static DNR > 0
    let mut original = read(&out.join("cycle-00.safetensors"));
    let (_, mask) = original.1.get_mut("fc1.weight_mask").expect("mask");
    mask[..784 * 4].fill(0);
    let (_, bias) = original.1.get_mut("fc1.bias").expect("bias");
    bias[..4].copy_from_slice(&(-1.0f32).to_le_bytes());
    let good = tmp.path().join("good.safetensors");
    write(&good, &original);
    let with_masks = dnr(&good, &images);
    assert!(with_masks.status.success(), "{}", stderr(&with_masks));
    let expected: Value = serde_json::from_slice(&with_masks.stdout).expect("dnr json");
    let variant = |name: &str, change: &dyn Fn(&mut Tensors)| {
        let mut t = original.clone();
        change(&mut t);
        let path = tmp.path().join(name);
        write(&path, &t);
        dnr(&path, &images)
    };
    let refused = |o: std::process::Output, says: &str| {
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "expected `{says}` in: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("backend failed"),
            "{err}"
        );
    };

    refused(
        variant("classes.safetensors", &|t| {
            t.0["classes"] = json!("100000000000")
        }),
        "metadata `classes` (100000000000) is not a number of classes",
    );
    refused(
        variant("nan.safetensors", &|t| {
            let (_, raw) = t.1.get_mut("fc2.weight").expect("fc2");
            raw[..4].copy_from_slice(&f32::NAN.to_le_bytes());
        }),
        "`fc2.weight` holds NaN",
    );
    refused(
        variant("half.safetensors", &|t| {
            let (_, raw) = t.1.get_mut("fc1.weight_mask").expect("mask");
            raw[..4].copy_from_slice(&0.5f32.to_le_bytes());
        }),
        "`fc1.weight_mask` is not a 0/1 mask",
    );
    let no_images = tmp.path().join("none-idx3-ubyte");
    std::fs::write(&no_images, idx::write_images(0, 28, 28, &[])).expect("write");
    refused(dnr(&good, &no_images), "holds no images");

    // pruned by zeroing, as PyTorch's own checkpoints: the same DNR as with the masks
    let zeroed = variant("zeroed.safetensors", &|t| {
        let kernels: Vec<String> =
            t.1.keys()
                .filter_map(|k| k.strip_suffix("_mask").map(str::to_string))
                .collect();
        for k in kernels {
            let mask = floats(&t.1[&format!("{k}_mask")].1);
            let (_, raw) = t.1.get_mut(&k).expect("kernel");
            let w: Vec<f32> = floats(raw).iter().zip(&mask).map(|(w, m)| w * m).collect();
            *raw = bytes(&w);
        }
        t.1.retain(|k, _| !k.ends_with("_mask"));
    });
    assert!(zeroed.status.success(), "{}", stderr(&zeroed));
    assert!(
        stderr(&zeroed).contains("have no `_mask`"),
        "{}",
        stderr(&zeroed)
    );
    let got: Value = serde_json::from_slice(&zeroed.stdout).expect("dnr json");
    assert!(
        expected["static"].as_f64().expect("static") > 0.0,
        "{expected}"
    );
    assert_eq!(got, expected);
}
