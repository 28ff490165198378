//! Stopping a long job from outside the library (a Python caller's Ctrl-C): a process-wide flag
//! that the Monte-Carlo loops read between runs. Once it is set, the runs still going finish and
//! no new ones start; the job then fails with [`crate::Error::Interrupted`]. The command line does
//! not use it (its Ctrl-C ends the process).

use std::sync::atomic::{AtomicBool, Ordering};

static FLAG: AtomicBool = AtomicBool::new(false);

/// Asks every running job to stop.
pub fn request() {
    FLAG.store(true, Ordering::Relaxed);
}

/// Clears a request (before a new job starts).
pub fn clear() {
    FLAG.store(false, Ordering::Relaxed);
}

/// Whether a stop was asked for.
#[inline]
pub fn requested() -> bool {
    FLAG.load(Ordering::Relaxed)
}

/// `Err(Interrupted)` when a stop was asked for.
///
/// # Errors
/// A stop was asked for.
pub fn check() -> crate::Result<()> {
    if requested() {
        Err(crate::Error::Interrupted)
    } else {
        Ok(())
    }
}
