//! Running external commands: each is echoed (`$ …`) first, and a missing program is
//! reported in one line with what to do about it.

use std::ffi::OsStr;
use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Result, anyhow, bail};

use crate::ctx::Ctx;

pub fn in_dir(program: impl AsRef<OsStr>, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir);
    c
}

/// Echo and run a command with inherited stdio; fail on a non-zero exit.
pub fn run(ctx: &Ctx, cmd: &mut Command) -> Result<()> {
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
pub fn probe(ctx: &Ctx, cmd: &mut Command) -> Result<Option<(bool, String)>> {
    println!("{}", describe(ctx, cmd));
    match cmd.stderr(Stdio::null()).output() {
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

/// Why a tool could not be started, in one line, with what to do about it.
pub fn missing_tool(program: &str) -> anyhow::Error {
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
