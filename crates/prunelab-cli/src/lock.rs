//! One writer per run folder: an advisory OS lock (`flock` on Unix, `LockFileEx` on Windows,
//! through std's `File::try_lock`) on `DIR/.lock`, held while a run writes there. The lock file
//! names its holder's PID for the message of a process that finds it taken. The OS releases the
//! lock when its holder exits, however it dies, so a stale lock never blocks; the file itself
//! stays (removing it would race with a process that has just opened it).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// The lock file's name inside a run folder.
pub const LOCK: &str = ".lock";

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// What [`acquire`] found.
pub enum Acquired {
    Held(RunLock),
    /// Another process holds the folder: its PID, when its lock file says.
    Busy(Option<u32>),
}

/// Take `dir`'s lock (creating `dir` and its lock file when needed) without waiting.
pub fn acquire(dir: &Path) -> Result<Acquired> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(LOCK);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            file.read_to_string(&mut text).ok();
            return Ok(Acquired::Busy(text.trim().parse().ok()));
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| write!(file, "{}", std::process::id()))
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Acquired::Held(RunLock { _file: file }))
}
