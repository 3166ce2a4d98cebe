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

/// The entries of folder `dir`, sorted by name; a missing folder is [`DataError::Missing`] with `hint`.
fn entries(dir: &Path, hint: &str) -> Result<Vec<std::path::PathBuf>> {
    let io = |source: std::io::Error| DataError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let listing = std::fs::read_dir(dir).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            DataError::Missing {
                path: dir.to_path_buf(),
                hint: hint.to_owned(),
            }
        } else {
            io(source)
        }
    })?;
    let mut paths = listing
        .map(|entry| entry.map(|e| e.path()).map_err(io))
        .collect::<Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

/// The names of the sub-folders of `dir`, sorted.
pub(crate) fn subfolders(dir: &Path, hint: &str) -> Result<Vec<String>> {
    Ok(entries(dir, hint)?
        .into_iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect())
}

/// The image files (`.jpeg`, `.jpg` or `.png`, any case) in `dir`, sorted by name.
pub(crate) fn image_files(dir: &Path, hint: &str) -> Result<Vec<std::path::PathBuf>> {
    Ok(entries(dir, hint)?
        .into_iter()
        .filter(|p| is_image(p))
        .collect())
}

/// Whether `path` has an image extension: `.jpeg`, `.jpg` or `.png`, any case.
fn is_image(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["jpeg", "jpg", "png"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}
