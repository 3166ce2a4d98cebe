//! Writing a whole report folder, each file atomically (temporary file in the folder, then rename).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use prunelab_core::report::RunResult;

use crate::ae_plot::{ae_png, ae_svg};
use crate::density;
use crate::error::ReportError;
use crate::options::Options;
use crate::plot::{Figure, png, svg};
use crate::table::{Table, group_by_label};

/// Writes `report.md` (the Markdown table under a heading, with the figures linked), `report.csv`,
/// and `accuracy.svg/png`, `dnr.svg/png` into `out_dir` (created if missing), returning their
/// paths in that order. Activation-density runs (`method = "density"`) get their Table I section
/// in `report.md`, `density.csv` and their Fig. 1 (`ae.svg/png`) instead (the λ table and plots cover the other runs, and are
/// left out when there are none). Everything is rendered before the first file is written, so
/// bad input leaves the folder untouched.
pub fn write_report(
    runs: &[RunResult],
    options: &Options,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let cycles: Vec<RunResult> = runs.iter().filter(|r| r.nets.is_empty()).cloned().collect();
    let density = density::markdown(runs);
    if cycles.is_empty() && density.is_empty() {
        return Err(ReportError::NoRuns);
    }
    let table = if cycles.is_empty() {
        None
    } else {
        Some(Table::build(&cycles, options)?)
    };
    let mut files = vec![(
        "report.md",
        report_md(table.as_ref(), runs, &density).into_bytes(),
    )];
    if let Some(table) = &table {
        files.push(("report.csv", table.csv().into_bytes()));
        for figure in [Figure::Accuracy, Figure::Dnr] {
            files.push((
                figure.svg_name(),
                svg(figure, &cycles, options)?.into_bytes(),
            ));
            files.push((figure.png_name(), png(figure, &cycles, options)?));
        }
    }
    if !density.is_empty() {
        files.push(("density.csv", density::csv(runs).into_bytes()));
        files.push(("ae.svg", ae_svg(runs)?.into_bytes()));
        files.push(("ae.png", ae_png(runs)?));
    }
    fs::create_dir_all(out_dir).map_err(|source| ReportError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = out_dir.join(name);
            write_atomic(&path, &bytes)?;
            Ok(path)
        })
        .collect()
}

fn report_md(table: Option<&Table>, runs: &[RunResult], density: &str) -> String {
    let labels = group_by_label(runs).len();
    let mut out = format!(
        "# Pruning report\n\n{} runs, {labels} label{}.\n\n",
        runs.len(),
        if labels == 1 { "" } else { "s" }
    );
    if let Some(table) = table {
        out += &format!(
            "{}\n## Figures\n\n\
             ![Top-1 test accuracy vs. λ](accuracy.svg)\n\n\
             ![Static and dynamic DNR vs. λ (AP paper, Fig. 1)](dnr.svg)\n\n\
             PNG versions: [accuracy.png](accuracy.png), [dnr.png](dnr.png).\n",
            table.markdown(),
        );
    }
    if !density.is_empty() {
        out += &format!(
            "{}{density}![Total activation energy per epoch of each net (activation-density paper, Fig. 1)](ae.svg)\n\nPNG version: [ae.png](ae.png).\n",
            if table.is_some() { "\n" } else { "" }
        );
    }
    out
}

/// Writes `bytes` to a fresh temporary file next to `path`, syncs it and renames it over `path`,
/// so readers see the old file or the whole new one, never a torn one.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = File::create(&tmp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn writes_all_six_files_and_no_temporaries() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("report");
        let paths = write_report(&fixture::runs(), &Options::default(), &out).expect("report");
        let names: Vec<String> = paths
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "report.md",
                "report.csv",
                "accuracy.svg",
                "accuracy.png",
                "dnr.svg",
                "dnr.png"
            ]
        );
        let mut listed: Vec<String> = fs::read_dir(&out)
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        listed.sort();
        assert_eq!(
            listed,
            [
                "accuracy.png",
                "accuracy.svg",
                "dnr.png",
                "dnr.svg",
                "report.csv",
                "report.md"
            ]
        );
        let md = fs::read_to_string(&paths[0]).expect("md");
        assert!(
            md.starts_with("# Pruning report\n\n6 runs, 2 labels.\n"),
            "{md}"
        );
        assert!(
            md.contains("| GM | 87.0 ± 0.4 | 86.0 ± 0.4 | — | — |") && md.contains("](dnr.svg)"),
            "{md}"
        );
        assert_eq!(
            fs::read_to_string(&paths[1]).expect("csv"),
            Table::build(&fixture::runs(), &Options::default())
                .expect("t")
                .csv()
        );
        // overwriting works too
        write_report(&fixture::runs(), &Options::default(), &out).expect("again");
    }

    #[test]
    fn density_runs_get_table_i_and_density_csv() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let only = write_report(
            &[fixture::density_run()],
            &Options::default(),
            &tmp.path().join("d"),
        )
        .expect("density only");
        let names: Vec<String> = only
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["report.md", "density.csv", "ae.svg", "ae.png"]);
        let md = fs::read_to_string(&only[0]).expect("md");
        assert!(
            md.starts_with(
                "# Pruning report\n\n1 runs, 1 label.\n\n## Activation-density pruning (Table I)"
            ),
            "{md}"
        );
        assert!(!md.contains("accuracy.svg"), "{md}");
        let mut runs = fixture::runs();
        runs.push(fixture::density_run());
        let both = write_report(&runs, &Options::default(), &tmp.path().join("b")).expect("both");
        assert_eq!(both.len(), 9);
        let md = fs::read_to_string(&both[0]).expect("md");
        assert!(
            md.contains("| GM | 87.0 ± 0.4 |") && md.contains("| **net1** | [17, 30, 60] |"),
            "{md}"
        );
        assert_eq!(
            fs::read_to_string(&both[1]).expect("csv"),
            Table::build(&fixture::runs(), &Options::default())
                .expect("t")
                .csv(),
            "the λ table leaves density runs out"
        );
    }

    #[test]
    fn bad_input_writes_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("report");
        assert!(matches!(
            write_report(&[], &Options::default(), &out),
            Err(ReportError::NoRuns)
        ));
        assert!(!out.exists());
    }

    #[test]
    fn unwritable_folder_is_a_write_error() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("a-file");
        fs::write(&file, "x").expect("write");
        let err =
            write_report(&fixture::runs(), &Options::default(), &file).expect_err("not a folder");
        assert!(
            matches!(err, ReportError::Write { .. }) && err.to_string().contains("a-file"),
            "{err}"
        );
    }
}
