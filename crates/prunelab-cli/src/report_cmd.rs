//! `prunelab report DIR... [--out DIR]`: the AP paper's kind of table (Markdown + CSV) and the
//! accuracy / DNR vs λ plots (SVG + PNG) from the `results.json` files under the given folders.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use prunelab_report::{Options, Table, load_runs, write_report};

pub struct Args {
    pub dirs: Vec<PathBuf>,
    pub out: Option<PathBuf>,
    pub lambdas: Option<String>,
    pub accuracy: String,
    pub dnr: Option<String>,
}

fn lambdas(text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|s| {
            let v: f64 = s.trim().parse().with_context(|| format!("--lambda takes percents like 32.8,26.2, got `{s}`"))?;
            anyhow::ensure!(v > 0.0 && v <= 100.0, "--lambda values must be in (0, 100], got {v}");
            Ok(v)
        })
        .collect()
}

pub fn report(args: Args) -> Result<()> {
    let mut options = Options { accuracy: args.accuracy.parse().map_err(anyhow::Error::msg)?, ..Options::default() };
    if let Some(l) = &args.lambdas {
        options.lambdas = lambdas(l)?;
    }
    if let Some(d) = &args.dnr {
        options.dnr = Some(d.parse().map_err(anyhow::Error::msg)?);
    }
    let runs = load_runs(&args.dirs)?;
    let out: &Path = args.out.as_deref().or(args.dirs.first().map(PathBuf::as_path)).unwrap_or(Path::new("."));
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let table = Table::build(&runs, &options)?;
    let written = write_report(&runs, &options, out)?;
    println!("{}", table.markdown());
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
