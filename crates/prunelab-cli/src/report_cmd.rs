//! `prunelab report DIR... [--out DIR]`: the AP paper's kind of table (Markdown + CSV) and the
//! accuracy / DNR vs λ plots (SVG + PNG) from the `results.json` files under the given folders,
//! and for activation-density runs the density paper's Table I (Markdown + `density.csv`).
//! With `--config FILE` only the runs of that config's plan count: one table of a sweep that ran
//! several configs into one folder.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use prunelab_core::plan::Plan;
use prunelab_report::{Options, Table, density_markdown, load_runs, write_report};

pub struct Args {
    pub dirs: Vec<PathBuf>,
    pub out: Option<PathBuf>,
    pub lambdas: Option<String>,
    pub accuracy: String,
    pub dnr: Option<String>,
    pub config: Option<PathBuf>,
}

/// The run folders of `config`'s plan under each of `dirs` (as `prunelab sweep` names them).
fn planned(config: &Path, dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(config)
        .with_context(|| format!("cannot read config {}", config.display()))?;
    let plan = Plan::from_toml(&text).with_context(|| config.display().to_string())?;
    let found: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| plan.runs.iter().map(move |r| d.join(r.folder())))
        .filter(|d| d.join("results.json").exists())
        .collect();
    anyhow::ensure!(
        !found.is_empty(),
        "none of the runs of {} is under {}",
        config.display(),
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(found)
}

fn lambdas(text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|s| {
            let v: f64 = s
                .trim()
                .parse()
                .with_context(|| format!("--lambda takes percents like 32.8,26.2, got `{s}`"))?;
            anyhow::ensure!(
                v > 0.0 && v <= 100.0,
                "--lambda values must be in (0, 100], got {v}"
            );
            Ok(v)
        })
        .collect()
}

pub fn report(args: Args) -> Result<()> {
    let mut options = Options {
        accuracy: args.accuracy.parse().map_err(anyhow::Error::msg)?,
        ..Options::default()
    };
    if let Some(l) = &args.lambdas {
        options.lambdas = lambdas(l)?;
    }
    if let Some(d) = &args.dnr {
        options.dnr = Some(d.parse().map_err(anyhow::Error::msg)?);
    }
    let runs = match &args.config {
        Some(config) => load_runs(&planned(config, &args.dirs)?)?,
        None => load_runs(&args.dirs)?,
    };
    let out: &Path = args
        .out
        .as_deref()
        .or(args.dirs.first().map(PathBuf::as_path))
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let written = write_report(&runs, &options, out)?;
    let cycles: Vec<_> = runs.iter().filter(|r| r.nets.is_empty()).cloned().collect();
    if !cycles.is_empty() {
        println!("{}", Table::build(&cycles, &options)?.markdown());
    }
    print!("{}", density_markdown(&runs));
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
