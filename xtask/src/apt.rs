//! The Debian packages the headless browser test needs, installed with apt-get when root.

use std::process::Command;

use anyhow::Result;

use crate::cmd::{in_dir, probe, run};
use crate::ctx::Ctx;
use crate::host::is_root;
use crate::say::ok;

/// Chromium, and Mesa's Vulkan drivers for WebGPU.
const PACKAGES: [&str; 2] = ["chromium", "mesa-vulkan-drivers"];

pub fn ensure_packages(ctx: &Ctx) -> Result<()> {
    let mut missing = Vec::new();
    for pkg in PACKAGES {
        match probe(ctx, Command::new("dpkg").args(["-s", pkg]))? {
            None => {
                println!(
                    "  skipped: dpkg not found (not Debian/Ubuntu); install Chromium (the browser test \
                     expects /usr/bin/chromium or $PRUNELAB_CHROMIUM) and a Vulkan driver yourself"
                );
                return Ok(());
            }
            Some((true, out)) if out.contains("Status: install ok installed") => {}
            Some(_) => missing.push(pkg),
        }
    }
    if missing.is_empty() {
        ok(format!(
            "Debian packages installed: {}",
            PACKAGES.join(", ")
        ));
        return Ok(());
    }
    if !is_root() {
        println!(
            "  skipped (not root): apt-get install -y --no-install-recommends {}  (run it with sudo; \
             the browser test needs it)",
            missing.join(" ")
        );
        return Ok(());
    }
    let apt_get = || {
        let mut c = in_dir("apt-get", &ctx.root);
        c.env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(ctx, apt_get().arg("update"))?;
    run(
        ctx,
        apt_get()
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing),
    )
}
