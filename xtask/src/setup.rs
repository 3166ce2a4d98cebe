//! `setup`: install what is missing, then convert the MNIST digits.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd::{in_dir, missing_tool, probe, run};
use crate::ctx::Ctx;
use crate::host::mtime;
use crate::say::{heading, ok};
use crate::web::WASM_TARGET;
use crate::{apt, data, wasm_bindgen};

/// Vite 8 needs Node.js 20.19+ (or 22.12+).
const MIN_NODE: (u32, u32) = (20, 19);

pub fn setup(ctx: &Ctx) -> Result<()> {
    heading("setup: Rust target, wasm-bindgen-cli, Node packages, Chromium, MNIST data");
    ensure_wasm_target(ctx)?;
    wasm_bindgen::ensure(ctx)?;
    ensure_node(ctx)?;
    ensure_npm_packages(ctx)?;
    apt::ensure_packages(ctx)?;
    data::data(ctx, false)
}

fn ensure_wasm_target(ctx: &Ctx) -> Result<()> {
    if let Some((true, sysroot)) =
        probe(ctx, in_dir("rustc", &ctx.root).args(["--print", "sysroot"]))?
        && Path::new(sysroot.trim())
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .is_dir()
    {
        ok(format!("Rust target {WASM_TARGET} is installed"));
        return Ok(());
    }
    run(
        ctx,
        in_dir("rustup", &ctx.root).args(["target", "add", WASM_TARGET]),
    )
    .with_context(|| format!("the Rust target {WASM_TARGET} is missing"))
}

fn ensure_node(ctx: &Ctx) -> Result<()> {
    let Some((_, out)) = probe(ctx, Command::new("node").arg("--version"))? else {
        return Err(missing_tool("node"));
    };
    let v = out.trim();
    let mut parts = v
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < MIN_NODE {
        bail!(
            "Node.js {v} is too old: the web build (Vite 8) needs Node.js {}.{}+",
            MIN_NODE.0,
            MIN_NODE.1
        );
    }
    ok(format!("Node.js {v}"));
    Ok(())
}

/// `npm ci` (or `npm install` without a lock file) in web/ unless node_modules is up to date.
pub fn ensure_npm_packages(ctx: &Ctx) -> Result<()> {
    let lock = ctx.web.join("package-lock.json");
    // npm writes node_modules/.package-lock.json after every successful install.
    let installed = mtime(&ctx.web.join("node_modules/.package-lock.json"));
    let inputs = [mtime(&lock), mtime(&ctx.web.join("package.json"))];
    if let Some(installed) = installed
        && inputs.iter().all(|t| t.is_none_or(|t| t <= installed))
    {
        ok("npm packages in web/node_modules are up to date");
        return Ok(());
    }
    let sub = if lock.is_file() { "ci" } else { "install" };
    run(
        ctx,
        in_dir("npm", &ctx.web).args([sub, "--no-audit", "--no-fund"]),
    )
}
