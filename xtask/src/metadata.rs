//! The cargo target directory, read from `cargo metadata` without a JSON dependency.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use crate::cmd::{missing_tool, probe};
use crate::ctx::Ctx;

/// `target_directory` from `cargo metadata` (honours CARGO_TARGET_DIR and .cargo/config.toml).
pub fn cargo_target_dir(ctx: &Ctx) -> Result<PathBuf> {
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
