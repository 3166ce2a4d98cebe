//! Acceptance on the real MNIST digits (`cargo xtask data` writes them; `cargo xtask test` sets
//! PRUNELAB_DATA): LeNet-300-100 reaches ≥ 94 % dense, and after 5 AP-Pro cycles (p = 20, q = 2,
//! λ ≈ 32.8 %) stays within 1.5 points of dense. Uses `configs/lenet300-mnist-ap-pro.toml`.
//! With the `tch` feature the same fixed-seed run on LibTorch lands within a point of flex in
//! every cycle, and `prunelab dnr` of its checkpoint on either backend gives flex's answer.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data() -> PathBuf {
    let data = std::env::var_os("PRUNELAB_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("data"));
    assert!(
        data.join("mnist/train-images-idx3-ubyte").exists(),
        "no MNIST under {}: run `cargo xtask data`",
        data.display()
    );
    data
}

/// The config's run on `backend` into `out`; its cycle entries.
fn run(backend: &str, out: &Path) -> Vec<Value> {
    let o = Command::new(env!("CARGO_BIN_EXE_prunelab"))
        .args(["run", "--config"])
        .arg(root().join("configs/lenet300-mnist-ap-pro.toml"))
        .arg("--out")
        .arg(out)
        .arg("--data")
        .arg(data())
        .args(["--backend", backend])
        .output()
        .expect("prunelab starts");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results"))
            .expect("json");
    results["cycles"].as_array().expect("entries").clone()
}

#[test]
fn lenet300_ap_pro_on_mnist_keeps_dense_accuracy() {
    let out = tempfile::tempdir().expect("tempdir");
    let entries = run("flex", &out.path().join("run"));
    let acc = |i: usize| entries[i]["test_accuracy"].as_f64().expect("accuracy");
    let dense = acc(0);
    let last = entries.len() - 1;
    let lambda = entries[last]["remaining"].as_f64().expect("remaining");
    println!(
        "dense {:.2} %, λ {:.2} %: {:.2} %",
        dense * 100.0,
        lambda * 100.0,
        acc(last) * 100.0
    );
    assert_eq!(entries.len(), 6);
    assert!(dense >= 0.94, "dense accuracy {dense}");
    assert!((lambda - 0.8f64.powi(5)).abs() < 0.001, "λ {lambda}");
    assert!(
        acc(last) >= dense - 0.015,
        "pruned {} vs dense {dense}",
        acc(last)
    );
    // 266 200 prunable weights: the first cycle removes ⌊0.18·n⌋ by magnitude and ⌊0.02·n⌋ by AP
    assert_eq!(entries[0]["pruned"]["base"], 47916);
    assert_eq!(entries[0]["pruned"]["ap"], 5324);
    #[cfg(feature = "tch")]
    tch_matches_flex(&entries, out.path());
}

/// LibTorch: within a point of flex's accuracy per cycle; `dnr` of its last checkpoint the same
/// on both backends (static exactly, dynamic to 1e-4: a pre-activation within rounding of 0 may
/// land on either side of the ReLU).
#[cfg(feature = "tch")]
fn tch_matches_flex(flex: &[Value], out: &Path) {
    let tch = run("tch", &out.join("tch"));
    assert_eq!(tch.len(), flex.len());
    for (t, f) in tch.iter().zip(flex) {
        let (t, f) = (
            t["test_accuracy"].as_f64().expect("tch"),
            f["test_accuracy"].as_f64().expect("flex"),
        );
        println!("tch {:.2} % vs flex {:.2} %", t * 100.0, f * 100.0);
        assert!((t - f).abs() <= 0.01, "tch {t} vs flex {f}");
    }
    let dnr = |backend: &str| -> Value {
        let o = Command::new(env!("CARGO_BIN_EXE_prunelab"))
            .args(["dnr", "--model", "lenet300", "--checkpoint"])
            .arg(out.join("tch/cycle-05.safetensors"))
            .arg("--images")
            .arg(data().join("mnist/t10k-images-idx3-ubyte"))
            .args(["--backend", backend])
            .output()
            .expect("prunelab starts");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).expect("json")
    };
    let (on_tch, on_flex) = (dnr("tch"), dnr("flex"));
    assert_eq!(on_tch["static"], on_flex["static"]);
    let dynamic = |v: &Value| v["dynamic"].as_f64().expect("dynamic");
    assert!(
        (dynamic(&on_tch) - dynamic(&on_flex)).abs() <= 1e-4,
        "{on_tch} vs {on_flex}"
    );
}
