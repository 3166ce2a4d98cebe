//! `build-web`: the wasm crate (release), its JS bindings in web/pkg, the wasm optimised by
//! wasm-opt (binaryen, from npm), vite's web/dist, and brotli / gzip copies of its files.

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
    optimise(
        ctx,
        &ctx.web.join("pkg").join(format!("{WASM_LIB}_bg.wasm")),
    )?;
    run(ctx, in_dir("npm", &ctx.web).args(["run", "build"]))?;
    run(
        ctx,
        in_dir("node", &ctx.web).args(["scripts/compress.mjs", "dist"]),
    )?;
    ok(format!(
        "playground built in {}",
        ctx.rel(&ctx.web.join("dist"))
    ));
    Ok(())
}

/// wasm-opt flags: the features rustc's wasm32 target emits, `-O1` (most of -Oz's gain in the
/// compressed size at a fraction of its time; `PRUNELAB_WASM_OPT=-Oz` for the smallest file) and
/// no debug info or producers section.
const WASM_FEATURES: &[&str] = &[
    "--enable-reference-types",
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-mutable-globals",
    "--strip-debug",
    "--strip-producers",
];

/// Optimise `wasm` in place with binaryen's wasm-opt (web/node_modules/binaryen), through a
/// temporary file.
fn optimise(ctx: &Ctx, wasm: &std::path::Path) -> Result<()> {
    let opt = ctx.web.join("node_modules/binaryen/bin/wasm-opt");
    if !opt.is_file() {
        bail!(
            "{} is missing: run `cargo xtask setup` (npm install in web/)",
            ctx.rel(&opt)
        );
    }
    let level = std::env::var("PRUNELAB_WASM_OPT").unwrap_or_else(|_| "-O1".into());
    let tmp = wasm.with_extension("opt.wasm");
    run(
        ctx,
        in_dir("node", &ctx.web)
            .arg(&opt)
            .arg(&level)
            .args(WASM_FEATURES)
            .arg(wasm)
            .arg("-o")
            .arg(&tmp),
    )?;
    std::fs::rename(&tmp, wasm)?;
    Ok(())
}
