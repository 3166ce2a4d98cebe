//! The libtorch rpath every crate linking burn gets (`build/libtorch_rpath.rs`), and with the
//! `tch` feature `csrc/backward.cpp` — libtorch's conv2d and batch-norm backward kernels, which
//! tch does not bind — compiled against the headers of the libtorch torch-sys links.

#[path = "../../build/libtorch_rpath.rs"]
mod rpath;

fn main() {
    rpath::main();
    println!("cargo::rerun-if-changed=csrc/backward.cpp");
    if std::env::var_os("CARGO_FEATURE_TCH").is_none() {
        return;
    }
    let Some(lib) = std::env::var_os("DEP_TCH_LIBTORCH_LIB") else {
        panic!(
            "torch-sys did not report where libtorch is (DEP_TCH_LIBTORCH_LIB): run `cargo xtask setup --tch`"
        );
    };
    let include = std::path::PathBuf::from(lib).join("../include");
    cc::Build::new()
        .cpp(true)
        .pic(true)
        .warnings(false)
        .include(&include)
        .include(include.join("torch/csrc/api/include"))
        .flag("-std=c++17")
        // The ABI and glog settings torch-sys compiles its own wrapper with.
        .flag("-D_GLIBCXX_USE_CXX11_ABI=1")
        .flag("-DGLOG_USE_GLOG_EXPORT")
        .file("csrc/backward.cpp")
        .compile("prunelab_torch");
}
