//! `build-web`: the wasm crate (release), its JS bindings in web/pkg, and vite's web/dist.

use anyhow::{Result, bail};

use crate::cmd::{in_dir, missing_tool, run};
use crate::ctx::Ctx;
use crate::metadata::cargo_target_dir;
use crate::say::{heading, ok};
use crate::setup::setup;
use crate::wasm_bindgen;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
const WASM_CRATE: &str = "prunelab-wasm";
const WASM_LIB: &str = "prunelab_wasm";

/// `setup`, then `build`.
pub fn setup_and_build(ctx: &Ctx) -> Result<()> {
    setup(ctx)?;
    build(ctx)
}

/// Build the wasm crate (release), generate the JS bindings into web/pkg, vite-build web/dist.
/// Assumes `setup` has run.
pub fn build(ctx: &Ctx) -> Result<()> {
    heading("build-web: wasm (release) + wasm-bindgen + vite build");
    let target_dir = cargo_target_dir(ctx)?;
    run(
        ctx,
        ctx.cargo().args([
            "build",
            "-p",
            WASM_CRATE,
            "--target",
            WASM_TARGET,
            "--release",
        ]),
    )?;
    let wasm = target_dir
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{WASM_LIB}.wasm"));
    if !wasm.is_file() {
        bail!("{} was not produced by the build", wasm.display());
    }
    let bindgen = wasm_bindgen::bin().ok_or_else(|| missing_tool("wasm-bindgen"))?;
    run(
        ctx,
        in_dir(bindgen, &ctx.root)
            .args(["--target", "web", "--out-dir"])
            .arg(ctx.web.join("pkg"))
            .arg(&wasm),
    )?;
    run(ctx, in_dir("npm", &ctx.web).args(["run", "build"]))?;
    ok(format!(
        "playground built in {}",
        ctx.rel(&ctx.web.join("dist"))
    ));
    Ok(())
}
