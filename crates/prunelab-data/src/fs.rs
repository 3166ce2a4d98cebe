//! Native file helpers: reading with "missing file" hints, atomic writes.

use std::path::Path;

use crate::error::{DataError, Result};

/// Read a whole file; a missing file becomes [`DataError::Missing`] with `hint`.
pub(crate) fn read(path: &Path, hint: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            DataError::Missing {
                path: path.to_path_buf(),
                hint: hint.to_owned(),
            }
        } else {
            DataError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

/// Write `bytes` to `path` atomically: write `<path>.tmp`, then rename it over `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = Path::new(&tmp);
    std::fs::write(tmp, bytes).map_err(|source| DataError::Io {
        path: tmp.to_path_buf(),
        source,
    })?;
    std::fs::rename(tmp, path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Create `dir` and its parents if missing.
pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// `dir/name` if that folder exists (an archive unpacked as is), else `dir`.
pub(crate) fn nested_or(dir: &Path, name: &str) -> std::path::PathBuf {
    let nested = dir.join(name);
    if nested.is_dir() {
        nested
    } else {
        dir.to_path_buf()
    }
}
