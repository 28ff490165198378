//! Safe output: atomic file writes and report directories swapped in whole.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::{Error, Result};

/// Staging directories and temporary files this process is writing: what an interrupted run
/// must not leave behind. The lock is also held across every commit, so an interruption lands
/// either before a report is swapped in or after, never halfway.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every staging directory and temporary file this process is writing, and keeps the
/// lock, so that no write starts or commits afterwards: for a handler of SIGINT or SIGTERM, which
/// exits next. A commit under way finishes first; the destination then holds the earlier report
/// or the new one, whole.
pub fn abandon_pending() {
    let mut g = pending();
    for p in g.drain(..) {
        if p.is_dir() {
            let _ = fs::remove_dir_all(&p);
        } else {
            let _ = fs::remove_file(&p);
        }
    }
    // Never unlocked: the process is about to exit.
    std::mem::forget(g);
}

/// Holds an exclusive lock on the directory that holds `path` while a report is swapped in, so
/// that two processes writing the same destination commit one after the other (the last one's
/// report stays, whole). Best effort where directories cannot be locked.
fn lock_parent(path: &Path) -> Option<fs::File> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let f = fs::File::open(parent).ok()?;
    f.lock().ok()?;
    Some(f)
}

fn temp_sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Keep the extension last: encoders choose the format by it.
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (name.clone(), String::new()),
    };
    parent.join(format!(".{stem}.{tag}-{}{ext}", std::process::id()))
}

/// Writes `path` through `write`, which receives a temporary path beside it; renames on success,
/// removes the temporary file on failure. Refuses to replace an existing file unless `force`.
pub fn write_atomic(
    path: &Path,
    force: bool,
    write: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    if path.exists() && !force {
        return Err(Error::file(
            path,
            "already exists; use --force to replace it",
        ));
    }
    let tmp = temp_sibling(path, "tmp");
    pending().push(tmp.clone());
    let written = write(&tmp);
    let mut g = pending();
    let result = written.and_then(|()| {
        let _lock = lock_parent(path);
        fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    g.retain(|p| p != &tmp);
    result
}

/// Writes bytes to a file (inside [`write_atomic`] or a [`ReportDir`]).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

/// A report directory under construction: files go into a hidden staging directory beside the
/// destination, which replaces the destination on [`ReportDir::commit`]. Dropped uncommitted, the
/// staging directory is removed and the destination is untouched.
#[derive(Debug)]
pub struct ReportDir {
    dest: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl ReportDir {
    /// Checks the destination (an existing non-empty directory is refused unless `force`; an
    /// existing file always) and creates the staging directory. Call this before the long work, so
    /// a refusal comes at once.
    pub fn create(dest: &Path, force: bool) -> Result<ReportDir> {
        if dest.exists() {
            if !dest.is_dir() {
                return Err(Error::file(dest, "exists and is not a directory"));
            }
            let non_empty = fs::read_dir(dest)
                .map_err(|e| Error::io(dest, e))?
                .next()
                .is_some();
            if non_empty && !force {
                return Err(Error::file(
                    dest,
                    "output directory exists and is not empty; use --force to replace it",
                ));
            }
        }
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let staging = temp_sibling(dest, "staging");
        let mut g = pending();
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        g.push(staging.clone());
        Ok(ReportDir {
            dest: dest.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// Where to write the file `name` now.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The final directory.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Swaps the finished report in: the old directory (if any) is moved aside, the new one renamed
    /// into place, then the old one removed.
    pub fn commit(mut self) -> Result<PathBuf> {
        let mut g = pending();
        let _lock = lock_parent(&self.dest);
        let old = temp_sibling(&self.dest, "old");
        let had_old = self.dest.exists();
        if had_old {
            fs::rename(&self.dest, &old).map_err(|e| Error::io(&self.dest, e))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.dest) {
            if had_old {
                let _ = fs::rename(&old, &self.dest);
            }
            return Err(Error::io(&self.dest, e));
        }
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        g.retain(|p| p != &self.staging);
        self.committed = true;
        Ok(self.dest.clone())
    }
}

impl Drop for ReportDir {
    fn drop(&mut self) {
        if !self.committed {
            let mut g = pending();
            let _ = fs::remove_dir_all(&self.staging);
            g.retain(|p| p != &self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_report_leaves_the_old_one() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        let r = ReportDir::create(&dest, false).unwrap();
        write_bytes(&r.path("a.txt"), b"first").unwrap();
        r.commit().unwrap();
        assert!(
            ReportDir::create(&dest, false).is_err(),
            "non-empty refused without force"
        );
        {
            let r = ReportDir::create(&dest, true).unwrap();
            write_bytes(&r.path("a.txt"), b"second").unwrap();
            // dropped without commit: a failure halfway
        }
        assert_eq!(fs::read(dest.join("a.txt")).unwrap(), b"first");
        let r = ReportDir::create(&dest, true).unwrap();
        write_bytes(&r.path("b.txt"), b"new").unwrap();
        r.commit().unwrap();
        assert!(!dest.join("a.txt").exists());
        assert_eq!(
            fs::read_dir(d.path()).unwrap().count(),
            1,
            "no staging left behind"
        );
    }

    #[test]
    fn atomic_write_refuses_existing_and_cleans_up() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.csv");
        write_atomic(&p, false, |t| write_bytes(t, b"1")).unwrap();
        assert!(write_atomic(&p, false, |t| write_bytes(t, b"2")).is_err());
        let e = write_atomic(&p, true, |_| Err(Error::file("x", "boom")));
        assert!(e.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"1");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
