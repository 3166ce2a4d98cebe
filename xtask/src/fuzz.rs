//! `fuzz --cases N`: the property-based parser tests (`tests/fuzz.rs` of prunelab-core and
//! prunelab-engine) with N cases per property instead of `cargo xtask test`'s 256, printing the
//! cases run per parser.

use anyhow::Result;

use crate::cmd::run;
use crate::ctx::Ctx;
use crate::say::heading;

/// The crates whose `tests/fuzz.rs` fuzz a parser.
const FUZZED: &[&str] = &["prunelab-core", "prunelab-engine"];

pub fn fuzz(ctx: &Ctx, cases: u32) -> Result<()> {
    for krate in FUZZED {
        heading(format!("fuzz {krate}: {cases} cases per property"));
        run(
            ctx,
            ctx.cargo().env("PROPTEST_CASES", cases.to_string()).args([
                "test",
                "-p",
                krate,
                "--test",
                "fuzz",
                "--",
                "--nocapture",
            ]),
        )?;
    }
    Ok(())
}
