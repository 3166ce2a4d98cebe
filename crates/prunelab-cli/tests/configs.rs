//! Every shipped config parses: the CPU-scale ones and the paper-scale ones.

use std::path::{Path, PathBuf};

use prunelab_core::plan::Plan;

fn tomls(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("configs folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs")
}

#[test]
fn mini_configs_parse_and_have_three_seeds() {
    let files = tomls(&root().join("mini"));
    assert_eq!(files.len(), 8, "{files:?}");
    let (density, tables): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| {
        f.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("density"))
    });
    for file in density {
        let plan = Plan::from_toml(&std::fs::read_to_string(&file).expect("read"))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(
            plan.runs.len(),
            1,
            "{}: one run, as Table I",
            file.display()
        );
        assert_eq!(
            plan.runs[0].experiment.method,
            prunelab_core::state::Method::Density
        );
    }
    for file in tables {
        let plan = Plan::from_toml(&std::fs::read_to_string(&file).expect("read"))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let seeds: std::collections::BTreeSet<u64> =
            plan.runs.iter().map(|r| r.experiment.seed).collect();
        assert_eq!(seeds.len(), 3, "{}", file.display());
        assert!(plan.runs.iter().all(|r| r.dir.is_some()));
    }
    let table1 =
        Plan::from_toml(&std::fs::read_to_string(root().join("mini/table01.toml")).expect("read"))
            .expect("table 1");
    let mut labels: Vec<&str> = table1.runs.iter().map(|r| r.label.as_str()).collect();
    labels.dedup();
    assert_eq!(labels, ["GM", "GM + AP-Lite", "GM + AP-Pro"]);
    // The reinit twin: the same runs, each under `retrain = "reinit"`, labelled apart.
    let twin = Plan::from_toml(
        &std::fs::read_to_string(root().join("mini/table01-reinit.toml")).expect("read"),
    )
    .expect("table 1, reinit");
    assert_eq!(twin.runs.len(), table1.runs.len());
    for (a, b) in table1.runs.iter().zip(&twin.runs) {
        assert_eq!(b.experiment.retrain, prunelab_core::state::Retrain::Reinit);
        let mut same = b.experiment.clone();
        same.retrain = a.experiment.retrain;
        assert_eq!(same, a.experiment);
        assert_eq!(b.label, format!("{} [reinit]", a.label));
    }
}

#[test]
fn paper_configs_parse() {
    let files = tomls(&root());
    let named = |prefix: &str| {
        files
            .iter()
            .filter(|f| {
                f.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
            })
            .count()
    };
    assert_eq!(named("table"), 16, "15 tables and the Table 1 reinit twin");
    assert_eq!(named("density-"), 5, "the density paper's Table I runs");
    for file in files {
        match Plan::from_toml(&std::fs::read_to_string(&file).expect("read")) {
            Ok(plan) => assert!(!plan.runs.is_empty()),
            Err(e) => panic!("{}: {e}", file.display()),
        }
    }
}
