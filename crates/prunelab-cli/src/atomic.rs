//! Files appear whole or not at all: write a temporary sibling (`.NAME.tmp`), then rename over
//! the target.

use std::path::Path;

use anyhow::{Context, Result};

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let written = std::fs::write(&tmp, bytes)
        .with_context(|| format!("cannot write {}", tmp.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot move {} into place", path.display()))
        });
    if written.is_err() {
        // a full disk leaves no half-written sibling behind (the target is untouched)
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Remove the temporary siblings a crashed [`write`] left in `dir`; call only while no other
/// process writes there (under the run folder's lock).
pub fn remove_leftovers(dir: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}
