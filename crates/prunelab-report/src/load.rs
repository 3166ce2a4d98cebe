//! Finding and parsing the `results.json` files of a sweep (`OUT/<label-slug>/seed-<n>/results.json`).

use std::fs;
use std::path::{Path, PathBuf};

use prunelab_core::Experiment;
use prunelab_core::report::RunResult;

use crate::error::ReportError;

/// The name of a run's result file.
pub const RESULTS_FILE: &str = "results.json";

/// Every run under `dirs`: each is searched recursively for [`RESULTS_FILE`] (a path that is itself
/// a file is read as one). Runs come in sorted path order, so a report does not depend on the file
/// system's listing order. Symbolic links to directories are not followed.
pub fn load_runs(dirs: &[PathBuf]) -> Result<Vec<RunResult>, ReportError> {
    let mut files = Vec::new();
    for dir in dirs {
        collect(dir, &mut files)?;
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        return Err(ReportError::NoResults(if searched.is_empty() {
            "(no folders given)".into()
        } else {
            searched.join(", ")
        }));
    }
    let mut runs = Vec::new();
    for path in &files {
        runs.extend(read_runs(path)?.into_iter().map(comparable));
    }
    Ok(runs)
}

/// The cycles of a run that are results of its own method. A run whose AP step comes only in its
/// last pruning (AP-Lite, Algorithm 2) prunes just (p − q) % by the base method before that, so
/// only its dense cycle and its final cycle stand for it; configs reach each λ column with one
/// such run per column (`target`).
fn comparable(mut run: RunResult) -> RunResult {
    let (exp, _) = Experiment::from_hash(&run.experiment, &[]);
    if exp.ap_at_end_only() && run.cycles.len() > 2 {
        let last = run.cycles.len() - 1;
        run.cycles = run
            .cycles
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i == 0 || *i == last)
            .map(|(_, c)| c)
            .collect();
    }
    run
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), ReportError> {
    let read_err = |source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    };
    if fs::metadata(path).map_err(read_err)?.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in fs::read_dir(path).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let child = entry.path();
        if entry.file_type().map_err(read_err)?.is_dir() {
            collect(&child, files)?;
        } else if entry.file_name() == RESULTS_FILE && child.is_file() {
            files.push(child);
        }
    }
    Ok(())
}

/// The runs of one file: a run's object (the CLI's), or an array of them (the page's export of
/// compared runs).
fn read_runs(path: &Path) -> Result<Vec<RunResult>, ReportError> {
    let text = fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let parsed = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text)
    } else {
        serde_json::from_str(&text).map(|run| vec![run])
    };
    parsed.map_err(|source| ReportError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn write_run(root: &Path, rel: &str, run: &RunResult) {
        let dir = root.join(rel);
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(
            dir.join(RESULTS_FILE),
            serde_json::to_string(run).expect("json"),
        )
        .expect("write");
    }

    #[test]
    fn finds_nested_runs_in_sorted_order() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let runs = fixture::runs();
        // written out of order; the slugs sort as gm < gm-ap, seed-0 < seed-1 < seed-2
        for (i, run) in runs.iter().enumerate().rev() {
            let slug = if run.label == "GM" { "gm" } else { "gm-ap" };
            write_run(tmp.path(), &format!("{slug}/seed-{}", i % 3), run);
        }
        fs::write(tmp.path().join("gm/notes.txt"), "not a result").expect("write");
        let loaded = load_runs(&[tmp.path().to_path_buf()]).expect("load");
        // serde_json's float parsing may differ from the original in the last bit: compare to a round trip
        let round_trip: Vec<RunResult> = runs
            .iter()
            .map(|r| {
                serde_json::to_string(r)
                    .and_then(|j| serde_json::from_str(&j))
                    .expect("json")
            })
            .collect();
        assert_eq!(loaded, round_trip);
        // a results.json given directly is read as one run
        let one = load_runs(&[tmp.path().join("gm/seed-1/results.json")]).expect("load one");
        assert_eq!(one, vec![round_trip[1].clone()]);
    }

    #[test]
    fn an_array_of_runs_is_every_run() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let runs = fixture::runs();
        let path = tmp.path().join(RESULTS_FILE);
        fs::write(&path, serde_json::to_string(&runs[..2]).expect("json")).expect("write");
        let loaded = load_runs(&[path]).expect("load");
        assert_eq!(loaded.len(), 2);
        assert_eq!((loaded[0].seed, loaded[1].seed), (0, 1));
    }

    #[test]
    fn corrupt_file_is_named() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write_run(tmp.path(), "gm/seed-0", &fixture::runs()[0]);
        let bad = tmp.path().join("gm/seed-1");
        fs::create_dir_all(&bad).expect("mkdir");
        fs::write(bad.join(RESULTS_FILE), "{\"label\": \"GM\", \"seed\": ").expect("write");
        let err = load_runs(&[tmp.path().to_path_buf()]).expect_err("corrupt");
        let msg = err.to_string();
        assert!(matches!(err, ReportError::Parse { .. }), "{msg}");
        assert!(
            msg.contains("gm/seed-1/results.json") && msg.contains("not a valid results.json"),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");
    }

    #[test]
    fn nothing_found_or_missing_folder() {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(tmp.path().join("empty/seed-0")).expect("mkdir");
        let err = load_runs(&[tmp.path().to_path_buf()]).expect_err("empty");
        assert!(matches!(err, ReportError::NoResults(_)), "{err}");
        assert!(
            err.to_string().starts_with("no results.json found under "),
            "{err}"
        );
        let missing = tmp.path().join("nope");
        let err = load_runs(&[missing]).expect_err("missing");
        assert!(
            matches!(err, ReportError::Read { .. }) && err.to_string().contains("nope"),
            "{err}"
        );
    }
}
