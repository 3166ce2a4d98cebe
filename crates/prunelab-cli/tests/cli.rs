//! The `prunelab` binary as a user runs it: bad input, a small run on MNIST-format files, and
//! `prunelab dnr` checked against an independent host forward pass of LeNet-300-100.

mod common;

use std::path::Path;

use common::{config, prunelab, run, safetensors_json, stderr, write_mnist};
use prunelab_data::idx;
use serde_json::Value;

#[test]
fn bad_configs_exit_non_zero_with_one_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out").display().to_string();
    for (text, reason) in [
        ("model = \"vgg99\"", "unknown model `vgg99`"),
        ("p = 2\nq = 5", "q (5) must be between 0 and p (2)"),
        ("p = 0", "p (0) must be in (0, 100)"),
        ("p = -1", "p (-1) must be in (0, 100)"),
        ("backend = \"tpu\"", "unknown backend `tpu`"),
        ("cycles = [", "not valid TOML"),
        ("method = \"obd\"", "unknown method `obd`"),
        ("ap = \"bias\"", "needs ap_bias_k"),
        (
            "method = \"taylor\"\ntaylor_batches = 0",
            "taylor_batches must be at least 1",
        ),
        (
            "p = 10\nq = \"auto\"\n[[variant]]\nq = 20",
            "q (20) must be between 0 and p (10)",
        ),
        ("seeds = [\"a\"]", "seeds must be a non-empty list"),
        (
            "method = \"density\"\nmodel = \"densenet40\"",
            "resizes layer widths of lenet300",
        ),
        (
            "method = \"density\"\nepochs = 5\nrho_threshold = 2",
            "rho_threshold (2) must be in (0, 1)",
        ),
        (
            "method = \"density\"\nepochs = 5\ndensity_nets = 1",
            "density_nets (1) must be between 2 and 100",
        ),
    ] {
        let o = prunelab(&["run", "--config", &config(tmp.path(), text), "--out", &out]);
        assert!(!o.status.success(), "{text} was accepted");
        let err = stderr(&o);
        assert!(err.contains(reason), "{text}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{text}: {err}");
        assert!(!Path::new(&out).exists(), "{text}: output written");
    }
}

#[test]
fn missing_data_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = config(tmp.path(), "cycles = 1");
    let o = prunelab(&[
        "run",
        "--config",
        &cfg,
        "--out",
        "unused",
        "--data",
        &tmp.path().join("nowhere").display().to_string(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("train-images-idx3-ubyte"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_empty_training_or_test_split_is_a_clear_error() {
    for (train, test, split) in [(0, 60, "training"), (300, 0, "test")] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("data");
        write_mnist(&data.join("mnist"), train, test);
        let cfg = config(tmp.path(), "cycles = 1\nepochs = 1");
        let out = tmp.path().join("run");
        let o = run(&cfg, &out, &data);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("the {split} split of mnist has no images")),
            "{}",
            stderr(&o)
        );
        assert!(
            !out.join("results.json").exists(),
            "no results for no images"
        );
    }
}

/// LeNet-300-100 forward on the host with masks applied; returns per-layer (static, dynamic) DNR.
fn host_dnr(ck: &Value, pixels: &[u8], n: usize) -> Vec<(f64, f64)> {
    let get = |name: &str| -> Vec<f32> {
        ck[name]
            .as_array()
            .expect(name)
            .iter()
            .map(|v| v.as_f64().expect("number") as f32)
            .collect()
    };
    let mut x: Vec<Vec<f32>> = (0..n)
        .map(|i| {
            pixels[i * 784..(i + 1) * 784]
                .iter()
                .map(|&p| p as f32 / 255.0)
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (layer, (rows, cols)) in [("fc1", (300, 784)), ("fc2", (100, 300))] {
        let w = get(&format!("{layer}.weight"));
        let m = get(&format!("{layer}.weight_mask"));
        let b = get(&format!("{layer}.bias"));
        let (mut stat, mut dynamic) = (0usize, 0usize);
        let next: Vec<Vec<f32>> = x
            .iter()
            .map(|xi| {
                (0..rows)
                    .map(|r| {
                        let pre: f32 = (0..cols)
                            .map(|c| w[r * cols + c] * m[r * cols + c] * xi[c])
                            .sum::<f32>()
                            + b[r];
                        let y = pre.max(0.0);
                        if y == 0.0 {
                            if (0..cols).all(|c| m[r * cols + c] == 0.0) {
                                stat += 1
                            } else {
                                dynamic += 1
                            }
                        }
                        y
                    })
                    .collect()
            })
            .collect();
        let units = (rows * n) as f64;
        out.push((stat as f64 / units, dynamic as f64 / units));
        x = next;
    }
    out
}

#[test]
fn run_writes_results_and_checkpoints_and_dnr_agrees_with_the_host() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let test_pixels = write_mnist(&data.join("mnist"), 300, 60);
    let cfg = config(
        tmp.path(),
        "model = \"lenet300\"\nmethod = \"gm\"\nap = \"pro\"\np = 20\nq = 2\ncycles = 2\nepochs = 1\nlr = 0.02\nbatch = 32\nbackend = \"flex\"\n",
    );
    let out = tmp.path().join("run");
    let o = run(&cfg, &out, &data);
    assert!(o.status.success(), "{}", stderr(&o));

    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results"))
            .expect("json");
    assert_eq!(
        (results["label"].as_str(), results["seed"].as_u64()),
        (Some("GM + AP-Pro"), Some(1))
    );
    assert!(
        results["experiment"]
            .as_str()
            .expect("hash")
            .contains("ap=pro")
    );
    let entries = results["cycles"].as_array().expect("one entry per cycle");
    assert_eq!(entries.len(), 3);
    for (c, e) in entries.iter().enumerate() {
        assert_eq!(e["cycle"], c as u64);
        for key in [
            "remaining",
            "remaining_after",
            "test_accuracy",
            "early_stop_accuracy",
            "train_loss",
        ] {
            assert!(e[key].is_f64(), "{key} in {e}");
        }
        assert!(e["pruned"]["base"].is_u64() && e["pruned"]["ap"].is_u64());
        assert!(e["dnr"]["static"].is_f64() && e["dnr"]["dynamic"].is_f64());
        assert_eq!(e["dnr_unit"], "position");
        assert_eq!(
            e["dnr_channel"], e["dnr"],
            "LeNet's layers are linear: one unit per neuron"
        );
        assert_eq!(
            e["dnr"]["per_layer"].as_array().expect("per layer").len(),
            2
        );
        assert!(out.join(format!("cycle-{c:02}.safetensors")).exists());
    }
    assert!(!std::fs::read_dir(&out).expect("out").any(|f| {
        f.expect("entry")
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")
    }));
    // a second run into the same folder finds it complete and changes nothing
    let before = std::fs::read(out.join("results.json")).expect("results");
    let again = run(&cfg, &out, &data);
    assert!(
        again.status.success()
            && String::from_utf8_lossy(&again.stdout).contains("complete; skipped"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read(out.join("results.json")).expect("results"),
        before
    );

    let ck_path = out.join("cycle-01.safetensors");
    let ck = safetensors_json(&ck_path);
    for name in [
        "fc1.weight",
        "fc1.weight_mask",
        "fc1.weight_mask_prev",
        "fc1.weight_init",
        "fc1.bias",
        "fc3.weight",
    ] {
        assert!(ck.get(name).is_some(), "{name} missing");
    }
    assert_eq!(ck["fc1.weight"].as_array().expect("fc1").len(), 300 * 784);

    let images = tmp.path().join("images.idx");
    let n = 40;
    std::fs::write(
        &images,
        idx::write_images(n, 28, 28, &test_pixels[..n * 784]),
    )
    .expect("images");
    let (ck_arg, images_arg) = (ck_path.display().to_string(), images.display().to_string());
    let dnr = |model: &str, extra: &[&str]| {
        let mut args = vec![
            "dnr",
            "--model",
            model,
            "--checkpoint",
            &ck_arg,
            "--images",
            &images_arg,
        ];
        args.extend_from_slice(extra);
        prunelab(&args)
    };
    let o = dnr("lenet300", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).expect("dnr json");
    let host = host_dnr(&ck, &test_pixels, n);
    for (l, (stat, dynamic)) in host.iter().enumerate() {
        let layer = &report["per_layer"][l];
        assert!(
            (layer["static"].as_f64().expect("static") - stat).abs() < 1e-3,
            "layer {l}: {layer} vs host {stat}"
        );
        assert!(
            (layer["dynamic"].as_f64().expect("dynamic") - dynamic).abs() < 5e-3,
            "layer {l}: {layer} vs host {dynamic}"
        );
    }

    let channel = dnr("lenet300", &["--unit", "channel"]);
    assert!(channel.status.success(), "{}", stderr(&channel));
    let by_channel: Value = serde_json::from_slice(&channel.stdout).expect("dnr json");
    assert_eq!(by_channel, report, "linear layers: a channel is a neuron");
    let bad_unit = dnr("lenet300", &["--unit", "pixel"]);
    assert!(
        !bad_unit.status.success() && stderr(&bad_unit).contains("position, channel"),
        "{}",
        stderr(&bad_unit)
    );

    let wrong = dnr("cnn", &[]);
    assert!(
        !wrong.status.success() && stderr(&wrong).contains("is it a cnn checkpoint"),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn bench_prints_throughput_as_json() {
    let o = prunelab(&[
        "bench",
        "--model",
        "lenet300",
        "--channels",
        "1",
        "--size",
        "28",
        "--batch",
        "8",
        "--steps",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["images_per_s"].as_f64().expect("images/s") > 0.0, "{v}");
    let bad = prunelab(&["bench", "--model", "alexnet"]);
    assert!(!bad.status.success() && stderr(&bad).contains("unknown model `alexnet`"));
}

#[test]
fn a_sharded_sweep_then_report_gives_the_papers_table_and_two_plots() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_mnist(&data.join("mnist"), 200, 40);
    let base = "model = \"lenet300\"\np = 50\nq = 2\ncycles = 2\nepochs = 1\nlr = 0.02\nbatch = 50\nval_size = 50\nseeds = [1, 2]\n";
    let dir_a = tmp.path().join("a");
    let dir_b = tmp.path().join("b");
    std::fs::create_dir_all(&dir_a).expect("mkdir");
    std::fs::create_dir_all(&dir_b).expect("mkdir");
    let a = config(
        &dir_a,
        &format!("{base}[[variant]]\nap = \"none\"\n[[variant]]\nap = \"pro\"\n"),
    );
    // The GM runs again (listed once in the sweep), and AP-Lite once per λ column.
    let b = config(
        &dir_b,
        &format!(
            "{base}[[variant]]\nap = \"none\"\n[[variant]]\nap = \"lite\"\ntarget = 50\n[[variant]]\nap = \"lite\"\ntarget = 25\n"
        ),
    );
    let out = tmp.path().join("sweep");
    let (out_s, data_s) = (out.display().to_string(), data.display().to_string());
    let mut seen = Vec::new();
    for shard in ["0/2", "1/2"] {
        let o = prunelab(&[
            "sweep", &a, &b, "--out", &out_s, "--data", &data_s, "--shard", shard,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            stdout.contains(&format!("shard {shard}: 4 of 8 runs")),
            "{stdout}"
        );
        seen.push(stdout);
    }
    let mut folders: Vec<String> = std::fs::read_dir(&out)
        .expect("sweep folder")
        .flat_map(|d| {
            let d = d.expect("entry").path();
            std::fs::read_dir(&d).expect("run folder").map(move |s| {
                format!(
                    "{}/{}",
                    d.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    s.expect("seed").file_name().to_string_lossy()
                )
            })
        })
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 8, "{folders:?}");
    for (prefix, seed) in [
        ("gm-", 1),
        ("gm-", 2),
        ("gm-ap-pro-", 1),
        ("gm-ap-lite-to-50-", 2),
        ("gm-ap-lite-to-25-", 1),
    ] {
        let dir = folders.iter().find(|f| {
            f.starts_with(prefix)
                && f.ends_with(&format!("/seed-{seed}"))
                && f.len() == prefix.len() + 10 + 7
        });
        let dir =
            dir.unwrap_or_else(|| panic!("{prefix}<hash>/seed-{seed} missing in {folders:?}"));
        assert!(out.join(dir).join("results.json").exists(), "{dir}");
        // Each run was done by exactly one shard.
        assert_eq!(
            seen.iter().filter(|s| s.contains(dir.as_str())).count(),
            1,
            "{dir}"
        );
    }
    let again = prunelab(&[
        "sweep", &a, &b, "--out", &out_s, "--data", &data_s, "--shard", "1/2",
    ]);
    assert!(
        again.status.success()
            && String::from_utf8_lossy(&again.stdout)
                .matches("complete; skipped")
                .count()
                == 4
    );
    let bad = prunelab(&["sweep", &a, "--out", &out_s, "--shard", "2/2"]);
    assert!(
        !bad.status.success() && stderr(&bad).contains("--shard must be i/n"),
        "{}",
        stderr(&bad)
    );
    let report = tmp.path().join("report");
    let o = prunelab(&[
        "report",
        &out.display().to_string(),
        "--out",
        &report.display().to_string(),
        "--lambda",
        "50,25",
        "--dnr",
        "dynamic",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(report.join("report.md")).expect("report.md");
    assert!(
        md.contains(String::from_utf8_lossy(&o.stdout).trim()),
        "stdout is the report's table"
    );
    for row in ["| GM |", "| GM + AP-Pro |", "| GM + AP-Lite |"] {
        let line = md
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("{row} missing in {md}"));
        assert_eq!(
            line.matches(" ± ").count(),
            2,
            "two λ columns filled: {line}"
        );
        assert!(line.contains("%)"), "dynamic DNR in parentheses: {line}");
    }
    let csv = std::fs::read_to_string(report.join("report.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 1 + 3 * 2, "{csv}");
    for plot in ["accuracy.svg", "dnr.svg"] {
        let svg = std::fs::read_to_string(report.join(plot)).expect(plot);
        assert!(
            svg.contains("GM + AP-Lite") && svg.contains("<svg"),
            "{plot}"
        );
    }
    for plot in ["accuracy.png", "dnr.png"] {
        assert!(
            std::fs::read(report.join(plot))
                .expect(plot)
                .starts_with(b"\x89PNG"),
            "{plot}"
        );
    }
    // One config's table out of the sweep: config a has no AP-Lite rows.
    let only_a = tmp.path().join("report-a");
    let o = prunelab(&[
        "report",
        &out_s,
        "--config",
        &a,
        "--out",
        &only_a.display().to_string(),
        "--lambda",
        "50,25",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(only_a.join("report.md")).expect("report.md");
    assert!(
        md.contains("| GM + AP-Pro |") && !md.contains("AP-Lite"),
        "{md}"
    );
    let nothing = prunelab(&["report", &tmp.path().join("data").display().to_string()]);
    assert!(
        !nothing.status.success() && stderr(&nothing).contains("results.json"),
        "{}",
        stderr(&nothing)
    );
}
