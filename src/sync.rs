//! Locks whose holder may have panicked.
//!
//! A leaf: it knows nothing of the tool.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, also after a thread panicked while holding it. Every lock of the
/// tool guards data that its critical sections leave consistent, and a run goes on
/// (and cleans up: browsers stopped, temporary files removed) after a panic
/// elsewhere, so a poisoned lock still guards valid data.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
