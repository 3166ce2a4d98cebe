//! Turns a backend that panics while starting (e.g. no GPU adapter for wgpu) into an error.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};

/// Run `f`; a panic becomes an error carrying its message and `hint`.
pub fn guarded<T>(hint: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let message = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&message);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut m) = sink.lock() {
            *m = info
                .payload_as_str()
                .unwrap_or("unknown failure")
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
        }
    }));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.unwrap_or_else(|_| {
        let m = message.lock().map(|m| m.clone()).unwrap_or_default();
        Err(anyhow!("the backend failed: {m} ({hint})"))
    })
}
