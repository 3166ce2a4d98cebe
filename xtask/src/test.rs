//! `test`: every test stage in order, stopping at the first failure, then a summary
//! ending in `N passed, N failed[, N skipped]`. The first stage is the mechanical style check
//! (`cargo fmt --check`, `cargo clippy -D warnings`; the web build's `tsc --noEmit` is in stage 3),
//! fast, so drift fails before the long tests.

use std::time::Instant;

use anyhow::Result;

use crate::cmd::{in_dir, run};
use crate::ctx::Ctx;
use crate::say::heading;
use crate::{setup, torch, web};

/// The `tch` cargo features of every crate that has one: the native tests cover LibTorch too.
pub const TCH_FEATURES: &str = "prunelab-kernels/tch,prunelab-engine/tch,prunelab-cli/tch";

type Stage<'a> = (&'a str, Box<dyn Fn() -> Result<()> + 'a>);

/// Returns Ok(false) when a stage failed (after printing the summary line).
pub fn test(ctx: &Ctx) -> Result<bool> {
    setup::setup(ctx)?;
    let torch = torch::ensure(ctx)?;
    let stages: [Stage; 4] = [
        (
            "style (cargo fmt --check, cargo clippy --all-targets -D warnings, with the tch backend)",
            Box::new(|| {
                run(ctx, ctx.cargo().args(["fmt", "--all", "--check"]))?;
                run(
                    ctx,
                    ctx.cargo().env(torch.env().0, torch.env().1).args([
                        "clippy",
                        "--workspace",
                        "--all-targets",
                        "--features",
                        TCH_FEATURES,
                        "--",
                        "-D",
                        "warnings",
                    ]),
                )
            }),
        ),
        (
            "native tests (cargo test --workspace, with the tch backend)",
            Box::new(|| {
                run(
                    ctx,
                    ctx.cargo()
                        .env("PRUNELAB_DATA", ctx.root.join("data"))
                        .env(torch.env().0, torch.env().1)
                        .args([
                            "test",
                            "--workspace",
                            "--exclude",
                            "xtask",
                            "--features",
                            TCH_FEATURES,
                        ]),
                )
            }),
        ),
        ("wasm + web build", Box::new(|| web::build(ctx))),
        (
            "headless browser test (tests/browser/run.mjs)",
            Box::new(|| {
                // The export case re-imports a browser run with the CLI the native stage built.
                let bin = crate::metadata::cargo_target_dir(ctx)?
                    .join("debug")
                    .join("prunelab");
                run(
                    ctx,
                    in_dir("node", &ctx.root)
                        .env("PRUNELAB_BIN", bin)
                        .arg("tests/browser/run.mjs"),
                )
            }),
        ),
    ];
    let total = stages.len();
    let (mut passed, mut failed) = (0, 0);
    let mut report = Vec::new();
    for (i, (name, stage)) in stages.iter().enumerate() {
        heading(format!("test stage {}/{total}: {name}", i + 1));
        let start = Instant::now();
        let result = stage();
        let secs = start.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                passed += 1;
                report.push(format!("  PASS  {name}  ({secs:.0} s)"));
            }
            Err(e) => {
                failed += 1;
                report.push(format!("  FAIL  {name}  ({secs:.0} s): {e:#}"));
                for (later, _) in &stages[i + 1..] {
                    report.push(format!("  SKIP  {later}  (an earlier stage failed)"));
                }
                break;
            }
        }
    }
    heading("test summary");
    for line in &report {
        println!("{line}");
    }
    let skipped = total - passed - failed;
    if skipped > 0 {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(failed == 0)
}
