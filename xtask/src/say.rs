//! Progress lines: a heading per step, an `ok:` line for what needed no work.

use std::fmt::Display;

pub fn heading(msg: impl Display) {
    println!("\n==> {msg}");
}

pub fn ok(msg: impl Display) {
    println!("  ok: {msg}");
}
