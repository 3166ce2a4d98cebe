//! Where the repository is, and the cargo that runs us.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, anyhow, bail};

use crate::cmd::in_dir;

pub struct Ctx {
    pub root: PathBuf,
    pub web: PathBuf,
    /// The cargo that runs us (`$CARGO`), so nested builds use the same toolchain.
    cargo: String,
}

impl Ctx {
    pub fn new() -> Result<Self> {
        let root = find_root()?;
        let web = root.join("web");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        Ok(Self { root, web, cargo })
    }

    /// A `cargo` command in the repository root.
    pub fn cargo(&self) -> Command {
        in_dir(&self.cargo, &self.root)
    }

    /// `path` relative to the repository root, for messages.
    pub fn rel<'a>(&self, path: &'a Path) -> Cow<'a, str> {
        match path.strip_prefix(&self.root) {
            Ok(p) if p.as_os_str().is_empty() => ".".into(),
            Ok(p) => p.to_string_lossy(),
            Err(_) => path.to_string_lossy(),
        }
    }
}

/// The repository root: the nearest ancestor of the working directory that holds both
/// `Cargo.toml` and `xtask/Cargo.toml`, else the parent of this crate's manifest directory.
fn find_root() -> Result<PathBuf> {
    let is_root = |d: &Path| d.join("Cargo.toml").is_file() && d.join("xtask/Cargo.toml").is_file();
    if let Ok(cwd) = std::env::current_dir()
        && let Some(d) = cwd.ancestors().find(|d| is_root(d))
    {
        return Ok(d.to_path_buf());
    }
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| anyhow!("cannot locate the prunelab repository root"))?;
    if is_root(&fallback) {
        Ok(fallback)
    } else {
        bail!("cannot locate the prunelab repository root: run `cargo xtask` inside the clone")
    }
}
