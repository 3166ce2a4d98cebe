//! `method = "density"` through the binary: the shipped mini config (`configs/mini/density-lenet300.toml`)
//! on MNIST-format files runs net0 → net1 → net2, exports each net at its widths, measures
//! inference, and `prunelab report` shows the configurations, the reductions and the measured
//! speed-up (the activation-density paper's Table I). The synthetic digits' total AE rises from
//! the first epoch, so with the shipped δ the run stops at net0; the net0 → net1 → net2 run turns
//! δ off (`delta_slope = 1`) and is otherwise the shipped config.

mod common;

use std::path::{Path, PathBuf};

use common::{prunelab, safetensors_raw, stderr, write_mnist};
use serde_json::Value;

fn mini_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/mini/density-lenet300.toml")
}

/// The metadata of a safetensors file.
fn metadata(path: &Path) -> Value {
    let bytes = std::fs::read(path).expect("export");
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("header length")) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + n]).expect("header json");
    header["__metadata__"].clone()
}

/// A `1.23×` cell as a number.
fn times(cell: &str) -> f64 {
    cell.trim()
        .trim_end_matches('×')
        .parse()
        .unwrap_or_else(|_| panic!("not a ratio: `{cell}`"))
}

#[test]
fn mini_config_runs_net0_net1_net2_and_reports_table_i() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_mnist(&tmp.path().join("mnist"), 400, 100);
    let shipped = std::fs::read_to_string(mini_config()).expect("mini config");
    let run = |config: &str, out: &Path| {
        let path = out.with_extension("toml");
        std::fs::write(&path, config).expect("config");
        prunelab(&[
            "run",
            "--config",
            &path.display().to_string(),
            "--out",
            &out.display().to_string(),
            "--data",
            &tmp.path().display().to_string(),
        ])
    };

    // as shipped: δ sees net0's AE curve rise and stops the pruning there
    let stopped = tmp.path().join("delta");
    let o = run(&shipped, &stopped);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = prunelab(&["report", &stopped.display().to_string()]);
    let report = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        report.contains("| **net0** | [300, 100] |")
            && report.contains("pruning stopped at δ: the AE curve of net0 rises"),
        "{report}"
    );

    let no_delta = shipped.replace("delta_slope = 0\n", "delta_slope = 1\n");
    assert_ne!(no_delta, shipped);
    let out = tmp.path().join("run");
    let o = run(&no_delta, &out);
    assert!(o.status.success(), "{}", stderr(&o));

    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results"))
            .expect("json");
    assert_eq!(results["complete"], true);
    let nets = results["nets"].as_array().expect("nets");
    assert_eq!(nets.len(), 3, "net0 → net1 → net2: {results}");
    let widths: Vec<Vec<u64>> = nets
        .iter()
        .map(|n| {
            n["widths"]
                .as_array()
                .expect("widths")
                .iter()
                .map(|w| w.as_u64().expect("width"))
                .collect()
        })
        .collect();
    assert_eq!(widths[0], [300, 100]);
    for (i, net) in nets.iter().enumerate() {
        // net_i+1's widths: round(AE × width) of net_i's last epoch
        if let Some(next) = widths.get(i + 1) {
            let ae = net["layer_ae"]
                .as_array()
                .and_then(|e| e.last())
                .and_then(Value::as_array)
                .expect("layer AE");
            let expected: Vec<u64> = widths[i]
                .iter()
                .zip(ae)
                .map(|(w, a)| ((a.as_f64().expect("AE") * *w as f64).round() as u64).max(1))
                .collect();
            assert_eq!(*next, expected, "net{}", i + 1);
        }
        assert!(
            net["images_per_s"].as_f64().is_some_and(|r| r > 0.0),
            "inference measured: {net}"
        );
        assert!(
            net["macs"].as_u64().is_some()
                && net["parameters"].as_u64().is_some()
                && net["ae"].as_array().is_some_and(|a| !a.is_empty())
        );
        // the export: the net at its widths, widths in the metadata
        let file = out.join(format!("net-{i:02}.safetensors"));
        assert_eq!(
            metadata(&file)["widths"].as_str(),
            Some(serde_json::to_string(&widths[i]).expect("json").as_str())
        );
        let raw = safetensors_raw(&file);
        let bytes = |name: &str| raw.get(name).map(|(_, b)| b.len()).unwrap_or(0);
        assert_eq!(bytes("fc1.weight"), 4 * 784 * widths[i][0] as usize);
        assert_eq!(bytes("fc3.weight"), 4 * 10 * widths[i][1] as usize);
    }
    assert!(
        widths[2].iter().zip(&widths[0]).all(|(a, b)| a < b),
        "{widths:?}"
    );

    let o = prunelab(&["report", &out.display().to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        report.contains("## Activation-density pruning (Table I)"),
        "{report}"
    );
    let rows: Vec<Vec<&str>> = report
        .lines()
        .filter(|l| {
            (l.starts_with("| net") && !l.starts_with("| net |")) || l.starts_with("| **net")
        })
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 3, "{report}");
    assert_eq!(rows[0][2], "[300, 100]");
    for (row, w) in rows.iter().zip(&widths) {
        assert_eq!(
            row[2],
            format!("[{}, {}]", w[0], w[1]),
            "configuration column: {report}"
        );
    }
    assert_eq!(
        (times(rows[0][5]), times(rows[0][7]), times(rows[0][11])),
        (1.0, 1.0, 1.0),
        "net0 is the baseline"
    );
    for row in &rows[1..] {
        assert!(
            times(row[5]) > 1.0 && times(row[7]) > 1.0,
            "parameters and OPS reductions: {row:?}"
        );
        assert!(times(row[11]) > 0.0, "a measured speed-up: {row:?}");
    }
    assert!(report.contains("Training complexity (eq. 4):"), "{report}");
    let csv = std::fs::read_to_string(out.join("density.csv")).expect("density.csv");
    assert_eq!(csv.lines().count(), 4, "{csv}");

    // the same nets timed again, on demand: `prunelab bench --run`
    let o = prunelab(&[
        "bench",
        "--run",
        &out.display().to_string(),
        "--backend",
        "flex",
        "--batch",
        "64",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bench: Value = serde_json::from_slice(&o.stdout).expect("bench json");
    let timed = bench["nets"].as_array().expect("nets");
    assert_eq!(timed.len(), 3);
    assert_eq!(timed[0]["speedup"].as_f64(), Some(1.0));
    assert!(
        timed
            .iter()
            .all(|n| n["images_per_s"].as_f64().is_some_and(|r| r > 0.0))
    );
    assert_eq!(timed[2]["widths"], nets[2]["widths"]);
    let o = prunelab(&[
        "bench",
        "--run",
        &tmp.path().join("mnist").display().to_string(),
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("results.json"),
        "{}",
        stderr(&o)
    );

    let again = run(&no_delta, &out);
    assert!(
        again.status.success()
            && String::from_utf8_lossy(&again.stdout).contains("is complete; skipped"),
        "{}",
        stderr(&again)
    );
}
