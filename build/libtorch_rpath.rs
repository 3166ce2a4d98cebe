//! Build script of the crates whose binaries and tests link burn: with the `tch` feature anywhere
//! in the build they link libtorch, and this rpath lets them find it at run time without
//! `LD_LIBRARY_PATH`. The folder is torch-sys's own report (`DEP_TCH_LIBTORCH_LIB`, to crates that
//! depend on it directly), else `$LIBTORCH/lib` — `.cargo/config.toml` sets LIBTORCH to the
//! `.cargo/libtorch` link that `cargo xtask setup --tch` makes into a venv outside the clone —
//! resolved to the real folder. Without libtorch there, nothing is added.

use std::path::PathBuf;

pub fn main() {
    println!("cargo::rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    println!("cargo::rerun-if-env-changed=LIBTORCH");
    if std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|f| f == "wasm")) {
        return;
    }
    let lib = match (
        std::env::var_os("DEP_TCH_LIBTORCH_LIB"),
        std::env::var_os("LIBTORCH"),
    ) {
        (Some(lib), _) => PathBuf::from(lib),
        (None, Some(root)) => PathBuf::from(root).join("lib"),
        (None, None) => return,
    };
    // Re-run when the link appears or changes (a missing path re-runs every build).
    println!("cargo::rerun-if-changed={}", lib.display());
    if let Ok(lib) = std::fs::canonicalize(&lib) {
        println!("cargo::rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
