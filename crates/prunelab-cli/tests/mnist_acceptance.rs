//! Acceptance on the real MNIST digits (`cargo xtask data` writes them; `cargo xtask test` sets
//! PRUNELAB_DATA): LeNet-300-100 reaches ≥ 94 % dense, and after 5 AP-Pro cycles (p = 20, q = 2,
//! λ ≈ 32.8 %) stays within 1.5 points of dense. Uses `configs/lenet300-mnist-ap-pro.toml`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

#[test]
fn lenet300_ap_pro_on_mnist_keeps_dense_accuracy() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = std::env::var_os("PRUNELAB_DATA").map(PathBuf::from).unwrap_or_else(|| root.join("data"));
    assert!(data.join("mnist/train-images-idx3-ubyte").exists(), "no MNIST under {}: run `cargo xtask data`", data.display());
    let out = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_prunelab"))
        .args(["run", "--config"])
        .arg(root.join("configs/lenet300-mnist-ap-pro.toml"))
        .arg("--out")
        .arg(out.path().join("run"))
        .arg("--data")
        .arg(&data)
        .output()
        .expect("prunelab starts");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let results: Value = serde_json::from_slice(&std::fs::read(out.path().join("run/results.json")).expect("results")).expect("json");
    let entries = results["cycles"].as_array().expect("entries");
    let acc = |i: usize| entries[i]["test_accuracy"].as_f64().expect("accuracy");
    let dense = acc(0);
    let last = entries.len() - 1;
    let lambda = entries[last]["remaining"].as_f64().expect("remaining");
    println!("dense {:.2} %, λ {:.2} %: {:.2} %", dense * 100.0, lambda * 100.0, acc(last) * 100.0);
    assert_eq!(entries.len(), 6);
    assert!(dense >= 0.94, "dense accuracy {dense}");
    assert!((lambda - 0.8f64.powi(5)).abs() < 0.001, "λ {lambda}");
    assert!(acc(last) >= dense - 0.015, "pruned {} vs dense {dense}", acc(last));
    // 266 200 prunable weights: the first cycle removes ⌊0.18·n⌋ by magnitude and ⌊0.02·n⌋ by AP
    assert_eq!(entries[0]["pruned"]["base"], 47916);
    assert_eq!(entries[0]["pruned"]["ap"], 5324);
}
