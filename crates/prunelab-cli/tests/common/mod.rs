//! Shared by the CLI tests: running the binary, MNIST-format files, configs, checkpoint reading.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use prunelab_data::idx;
use serde_json::Value;

pub fn prunelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prunelab"))
        .args(args)
        .output()
        .expect("prunelab starts")
}

/// `prunelab run --config CFG --out OUT --data DATA`.
pub fn run(cfg: &str, out: &Path, data: &Path) -> Output {
    prunelab(&[
        "run",
        "--config",
        cfg,
        "--out",
        &out.display().to_string(),
        "--data",
        &data.display().to_string(),
    ])
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Small MNIST-format files: class k is a bright bar at rows 2k+2..2k+5 with noise. Returns the
/// test pixels.
pub fn write_mnist(dir: &Path, train: usize, test: usize) -> Vec<u8> {
    let make = |n: usize, salt: usize| {
        let mut pixels = Vec::with_capacity(n * 784);
        let mut labels = Vec::with_capacity(n);
        for i in 0..n {
            let k = i % 10;
            for p in 0..784 {
                let lit = (2 * k + 2..2 * k + 5).contains(&(p / 28));
                let noise = ((p * 31 + i * 17 + salt) % 50) as u8;
                pixels.push(if lit { 250 - noise } else { noise });
            }
            labels.push(k as u8);
        }
        (
            idx::write_images(n, 28, 28, &pixels),
            idx::write_labels(&labels),
            pixels,
        )
    };
    std::fs::create_dir_all(dir).expect("mkdir");
    let (ti, tl, _) = make(train, 0);
    let (vi, vl, test_pixels) = make(test, 7);
    for (name, bytes) in [
        ("train-images-idx3-ubyte", &ti),
        ("train-labels-idx1-ubyte", &tl),
        ("t10k-images-idx3-ubyte", &vi),
        ("t10k-labels-idx1-ubyte", &vl),
    ] {
        std::fs::write(dir.join(name), bytes).expect("write idx");
    }
    test_pixels
}

/// Write `text` as `dir/config.toml`; returns its path.
pub fn config(dir: &Path, text: &str) -> String {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("write config");
    path.display().to_string()
}

/// The tensors of a safetensors file, `name → (dtype, raw bytes)`, read with an independent parser.
pub fn safetensors_raw(path: &Path) -> std::collections::BTreeMap<String, (String, Vec<u8>)> {
    let bytes = std::fs::read(path).expect("checkpoint");
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("header length")) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + n]).expect("header json");
    let data = &bytes[8 + n..];
    let mut out = std::collections::BTreeMap::new();
    for (name, meta) in header.as_object().expect("object") {
        if name == "__metadata__" {
            continue;
        }
        let [s, e] = [0, 1].map(|i| meta["data_offsets"][i].as_u64().expect("offset") as usize);
        out.insert(
            name.clone(),
            (
                meta["dtype"].as_str().unwrap_or("").to_string(),
                data[s..e].to_vec(),
            ),
        );
    }
    out
}

/// Reads a safetensors file into JSON {name: [values]} (f32 tensors only).
pub fn safetensors_json(path: &Path) -> Value {
    let mut out = serde_json::Map::new();
    for (name, (dtype, bytes)) in safetensors_raw(path) {
        if dtype == "F32" {
            let values = bytes
                .chunks_exact(4)
                .map(|c| Value::from(f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64))
                .collect();
            out.insert(name, Value::Array(values));
        }
    }
    Value::Object(out)
}
