//! wasm-bindgen-cli: its version must match the `wasm-bindgen` crate in Cargo.lock exactly.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::cmd::{probe, run};
use crate::ctx::Ctx;
use crate::host::{cargo_home, which};
use crate::say::ok;

/// Used when Cargo.lock does not name a wasm-bindgen version (it must match the crate exactly).
const FALLBACK_VERSION: &str = "0.2.130";

/// The wasm-bindgen executable: on PATH, else in `$CARGO_HOME/bin`.
pub fn bin() -> Option<PathBuf> {
    which("wasm-bindgen").or_else(|| {
        cargo_home()
            .map(|h| h.join("bin/wasm-bindgen"))
            .filter(|p| p.is_file())
    })
}

/// `cargo install` the matching wasm-bindgen-cli unless it is already installed.
pub fn ensure(ctx: &Ctx) -> Result<()> {
    let want = version(ctx);
    if let Some(bin) = bin()
        && let Some((true, out)) = probe(ctx, Command::new(&bin).arg("--version"))?
    {
        // "wasm-bindgen 0.2.130"
        if out.split_whitespace().nth(1) == Some(want.as_str()) {
            ok(format!("wasm-bindgen-cli {want} is installed"));
            return Ok(());
        }
        println!("  wasm-bindgen-cli is {}, need {want}", out.trim());
    }
    run(
        ctx,
        ctx.cargo()
            .args(["install", "wasm-bindgen-cli", "--version", &want]),
    )
    .context("installing wasm-bindgen-cli")
}

/// The exact wasm-bindgen version in Cargo.lock (the CLI must match it).
fn version(ctx: &Ctx) -> String {
    let lock = fs::read_to_string(ctx.root.join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""#
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return v.trim_matches('"').to_string();
        }
    }
    FALLBACK_VERSION.to_string()
}
