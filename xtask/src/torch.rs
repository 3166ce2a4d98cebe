//! `setup --tch`: PyTorch 2.9.0 (the version torch-sys 0.22 binds) from PyPI in a venv outside
//! the clone, and `.cargo/libtorch` linked to its `torch` package, which `.cargo/config.toml`
//! hands to torch-sys as `LIBTORCH`: `cargo build --features tch` then needs no environment
//! variable, and the binaries find libtorch through an rpath (`build/libtorch_rpath.rs`). The
//! same venv is the PyTorch peer of `cargo xtask bench`.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};

use crate::cmd::{in_dir, probe, run};
use crate::ctx::Ctx;
use crate::say::{heading, ok};

/// The PyTorch release torch-sys 0.22 is built against.
pub const TORCH_VERSION: &str = "2.9.0";
/// The torchvision of that release (the benchmarks' and reference tests' model definitions).
const TORCHVISION_VERSION: &str = "0.24.0";

/// The venv: `$PRUNELAB_TCH_VENV`, else `~/.cache/prunelab/tch-venv` (kept between clones, like
/// CI's target directory beside it).
fn venv() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PRUNELAB_TCH_VENV") {
        return Ok(dir.into());
    }
    let home = std::env::var_os("HOME").ok_or_else(|| {
        anyhow!("HOME is not set: set PRUNELAB_TCH_VENV to where the PyTorch venv goes")
    })?;
    Ok(PathBuf::from(home).join(".cache/prunelab/tch-venv"))
}

/// The folder of the venv's `torch` package when it holds PyTorch [`TORCH_VERSION`], torchvision
/// and numpy.
fn torch_dir(ctx: &Ctx, python: &PathBuf) -> Option<PathBuf> {
    let script = "import os, numpy, torch, torchvision; print(torch.__version__.split('+')[0]); print(os.path.dirname(torch.__file__))";
    let (true, out) = probe(ctx, in_dir(python, &ctx.root).args(["-c", script])).ok()?? else {
        return None;
    };
    let mut lines = out.lines();
    let (version, dir) = (lines.next()?, lines.next()?);
    (version == TORCH_VERSION).then(|| PathBuf::from(dir))
}

/// The installed PyTorch: the venv's Python and its `torch` package (libtorch's root).
pub struct Torch {
    pub python: PathBuf,
    pub libtorch: PathBuf,
}

impl Torch {
    /// `LIBTORCH` for the cargo commands xtask runs: the venv's own path, the same from every
    /// clone (the `.cargo/libtorch` link of `.cargo/config.toml` differs per clone, and a changed
    /// LIBTORCH rebuilds torch-sys and all of burn above it).
    pub fn env(&self) -> (&'static str, &PathBuf) {
        ("LIBTORCH", &self.libtorch)
    }
}

/// Install PyTorch into the venv unless it is there, and link `.cargo/libtorch` to it.
pub fn ensure(ctx: &Ctx) -> Result<Torch> {
    heading(format!(
        "setup --tch: PyTorch {TORCH_VERSION} (libtorch) for the tch backend"
    ));
    let venv = venv()?;
    let python = venv.join("bin").join("python");
    let torch = match torch_dir(ctx, &python) {
        Some(dir) => {
            ok(format!("PyTorch {TORCH_VERSION} in {}", venv.display()));
            dir
        }
        None => {
            println!(
                "  installing torch=={TORCH_VERSION}, torchvision and numpy from PyPI into {} (about 7 GB, a few minutes)",
                venv.display()
            );
            run(
                ctx,
                in_dir("python3", &ctx.root).args(["-m", "venv"]).arg(&venv),
            )?;
            let torch = format!("torch=={TORCH_VERSION}");
            let vision = format!("torchvision=={TORCHVISION_VERSION}");
            let pip = ["-m", "pip", "install", "--quiet", &torch, &vision, "numpy"];
            run(ctx, in_dir(&python, &ctx.root).args(pip))?;
            torch_dir(ctx, &python).ok_or_else(|| {
                anyhow!(
                    "{} does not import torch {TORCH_VERSION} after installing it",
                    python.display()
                )
            })?
        }
    };
    let link = ctx.root.join(".cargo/libtorch");
    if std::fs::read_link(&link).ok().as_ref() != Some(&torch) {
        if link.symlink_metadata().is_ok() {
            std::fs::remove_file(&link)
                .with_context(|| format!("cannot replace {}", link.display()))?;
        }
        std::os::unix::fs::symlink(&torch, &link)
            .with_context(|| format!("cannot link {} to {}", link.display(), torch.display()))?;
    }
    ok(format!("{} → {}", ctx.rel(&link), torch.display()));
    Ok(Torch {
        python,
        libtorch: torch,
    })
}
