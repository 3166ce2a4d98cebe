//! A diverging run (issue: `lr = 1e6` once exited 0 marked complete, with NaN checkpoints and a
//! `results.json` prunelab could not read back): it now stops at the epoch it diverged in, exits
//! 3 naming the cycle, epoch and step, records `diverged` in a readable `results.json`, keeps the
//! last good checkpoint and resume snapshot, and is skipped as finished by a rerun, a sweep and
//! `report`.

mod common;

use common::{config, prunelab, stderr, write_mnist};
use prunelab_core::report::RunResult;

/// Cycle 0 trains at a sane rate; cycle 1 fine-tunes at 10⁶ and diverges.
const CONFIG: &str = "model = \"lenet300\"\np = 20\ncycles = 2\nepochs = 2\nbatch = 50\nlr = 0.05\n\
    retrain = \"fine-tune\"\nfinetune_lr = 1000000\n";

#[test]
fn a_diverging_run_stops_with_exit_3_and_a_readable_record() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_mnist(&data.join("mnist"), 300, 60);
    let cfg = config(tmp.path(), CONFIG);
    let out = tmp.path().join("run");
    let out_s = out.display().to_string();
    let run = || common::run(&cfg, &out, &data);
    let o = run();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("training diverged at cycle 1, epoch 0, step ")
            && err.contains("results.json records it")
            && err.contains("hint: a lower lr"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let text = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    let result: RunResult = serde_json::from_str(&text).expect("a readable results.json");
    let at = result.diverged.expect("diverged is recorded");
    assert_eq!((at.cycle, at.epoch), (1, 0), "{text}");
    assert!(at.step < 6, "300 images in batches of 50: {at:?}");
    assert!(result.complete, "a diverged run is finished");
    assert_eq!(result.cycles.len(), 1, "cycle 0 finished before: {text}");
    assert!(result.cycles[0].train_loss.is_finite());
    assert!(
        out.join("cycle-00.safetensors").exists() && !out.join("cycle-01.safetensors").exists(),
        "the last good checkpoint is kept, no checkpoint of the diverged cycle"
    );
    assert!(
        out.join("resume.safetensors").exists(),
        "the last good snapshot is kept"
    );

    let again = run();
    assert!(again.status.success(), "{}", stderr(&again));
    let said = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(said.contains("diverged at cycle 1, epoch 0"), "{said}");
    assert_eq!(
        std::fs::read_to_string(out.join("results.json")).expect("results.json"),
        text,
        "a rerun leaves a diverged run as it is"
    );

    let report = tmp.path().join("report");
    let o = prunelab(&[
        "report",
        &out_s,
        "--out",
        &report.display().to_string(),
        "--lambda",
        "80",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(report.join("report.md")).expect("report.md");
    assert!(md.contains("| diverged |"), "{md}");
    assert!(
        md.contains("training diverged at cycle 1, epoch 0, step"),
        "{md}"
    );
}

#[test]
fn a_sweep_goes_on_past_a_diverged_run_and_exits_3() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_mnist(&data.join("mnist"), 200, 40);
    let cfg = config(
        tmp.path(),
        "model = \"lenet300\"\ncycles = 1\nepochs = 1\nbatch = 50\nlr = 1000000\n\n\
         [[variant]]\nlabel = \"sane\"\nlr = 0.05\n\n[[variant]]\nlabel = \"wild\"\n",
    );
    let out = tmp.path().join("sweep");
    let (out_s, data_s) = (out.display().to_string(), data.display().to_string());
    let o = prunelab(&[
        "sweep", &cfg, "--out", &out_s, "--data", &data_s, "--shard", "0/1",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("1 runs diverged") || err.contains("training diverged at cycle 0, epoch 0"),
        "{err}"
    );
    let results: Vec<RunResult> = walk(&out)
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("parse"))
        .collect();
    assert_eq!(results.len(), 2, "both runs wrote results");
    let wild = results.iter().find(|r| r.label == "wild").expect("wild");
    let sane = results.iter().find(|r| r.label == "sane").expect("sane");
    assert!(wild.diverged.is_some() && sane.diverged.is_none() && sane.cycles.len() == 2);
}

/// Every `results.json` under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else if path.file_name().is_some_and(|n| n == "results.json") {
            found.push(path);
        }
    }
    found
}
