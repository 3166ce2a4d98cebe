//! `serve`: web/dist on 127.0.0.1 (WebGPU needs a secure context; localhost counts).

use anyhow::{Result, bail};

use crate::cmd::{in_dir, run};
use crate::ctx::Ctx;
use crate::data::MNIST_FILES;
use crate::say::heading;
use crate::web;

/// The playground's bundled default experiment (LeNet-300-100 on MNIST, AP-Pro, 3 cycles).
const DEFAULT_HASH: &str =
    "model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=3&epochs=1&seed=1";

pub fn serve(ctx: &Ctx, port: u16, no_build: bool) -> Result<()> {
    if !no_build {
        web::setup_and_build(ctx)?;
    }
    let dist = ctx.web.join("dist");
    if !dist.join("index.html").is_file() {
        bail!(
            "{} has no index.html: run `cargo xtask build-web` first",
            ctx.rel(&dist)
        );
    }
    if !dist.join("data/mnist").join(MNIST_FILES[0]).is_file() {
        println!(
            "  warning: {}/data/mnist has no IDX files: run `cargo xtask data` and rebuild",
            ctx.rel(&dist)
        );
    }
    heading("serve");
    println!("  Open the playground (bundled MNIST default) at:\n");
    println!("    http://127.0.0.1:{port}/#{DEFAULT_HASH}\n");
    println!(
        "  Served on 127.0.0.1 only (WebGPU needs a secure context: localhost counts). Ctrl-C stops."
    );
    // Run Vite's own JS entry with node (portable; no npx download).
    let vite = ctx.web.join("node_modules/vite/bin/vite.js");
    if !vite.is_file() {
        bail!("{} is missing: run `cargo xtask setup`", ctx.rel(&vite));
    }
    run(
        ctx,
        in_dir("node", &ctx.web).arg(&vite).args([
            "preview",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--strictPort",
        ]),
    )
}
