//! Large arrays that the engine reads at random: zeroed vectors backed by transparent huge pages
//! where the system offers them (Linux `madvise(MADV_HUGEPAGE)`), so that random reads over a
//! graph-sized array miss the TLB less often. Elsewhere, or when the advice is refused, they are
//! plain zeroed vectors; the contents are the same either way.

/// Huge pages are 2 MiB on x86-64 and most aarch64 kernels.
const HUGE: usize = 2 << 20;

/// A vector of `n` zeroed values, advised onto huge pages before it is first touched.
///
/// `T` must be a plain number type whose all-zero bit pattern is a valid zero (u8, u32, u64,
/// f32, f64, and arrays or tuples of them).
pub fn zeroed<T: Copy + Default>(n: usize) -> Vec<T> {
    // `vec![zero; n]` for a zero value uses `alloc_zeroed`, which for large sizes maps fresh,
    // untouched pages: advising them now means they are faulted in as huge pages.
    let v: Vec<T> = vec![T::default(); n];
    advise(&v);
    populate(&v);
    collapse(&v);
    v
}

/// Asks the kernel to turn `v`'s pages into huge pages now (Linux `MADV_COLLAPSE`, 6.1 and later).
/// Needed when the allocator handed out memory it had used before (already mapped in small pages,
/// so the advice alone would only take effect whenever the kernel's background collapsing gets to
/// it). Best effort; the contents do not change.
fn collapse<T>(v: &[T]) {
    #[cfg(target_os = "linux")]
    if let Some((start, len)) = huge_span(v) {
        const MADV_COLLAPSE: libc::c_int = 25;
        // SAFETY: the range lies inside `v`'s allocation; collapsing copies pages into huge ones
        // with the same contents, and failure (older kernels, no free huge page) is harmless.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, MADV_COLLAPSE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// The whole huge pages inside `v` (start address, length in bytes), if it is large enough to be
/// worth huge pages (at least two of them) and holds at least one.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn huge_span<T>(v: &[T]) -> Option<(usize, usize)> {
    let bytes = std::mem::size_of_val(v);
    if bytes < 2 * HUGE {
        return None;
    }
    let start = v.as_ptr() as usize;
    let aligned = start.div_ceil(HUGE) * HUGE;
    let end = (start + bytes) / HUGE * HUGE;
    (end > aligned).then_some((aligned, end - aligned))
}

/// Asks the kernel to map all of `v`'s pages now, in one call (Linux `MADV_POPULATE_WRITE`),
/// instead of one page fault at a time as they are first written: the engine's state arrays are
/// written at random places, and a fault costs far more than the page it maps. Best effort; the
/// contents do not change.
fn populate<T>(v: &[T]) {
    let bytes = std::mem::size_of_val(v);
    if bytes < 64 << 10 {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let start = v.as_ptr() as usize / 4096 * 4096;
        let end = v.as_ptr() as usize + bytes;
        // SAFETY: the pages overlap `v`'s allocation (the first may start before it, within the
        // same page, which is mapped); MADV_POPULATE_WRITE only maps them, writing nothing, and
        // failure (older kernels) is harmless.
        unsafe {
            libc::madvise(
                start as *mut libc::c_void,
                end - start,
                libc::MADV_POPULATE_WRITE,
            );
        }
    }
}

/// Advises the kernel to back `v`'s memory with huge pages (Linux only; best effort).
pub fn advise<T>(v: &[T]) {
    #[cfg(target_os = "linux")]
    if let Some((start, len)) = huge_span(v) {
        // SAFETY: the range lies inside `v`'s allocation; MADV_HUGEPAGE only changes how the
        // kernel backs the pages, never their contents, and failure is harmless.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// Hints the CPU to fetch `v[i]` into the cache (no effect off x86-64). `i` may be past the end:
/// the hint is then for an address outside `v`, which a prefetch neither faults on nor changes,
/// so no bounds check is paid (the engines ask for a few dozen addresses per adopter).
#[inline(always)]
pub fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `wrapping_add` computes an address without any claim that it is in bounds, and
    // `_mm_prefetch` reads nothing in the program's sense: a hint, never a fault, never a write.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch(v.as_ptr().wrapping_add(i) as *const i8, _MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// The user's cap on the whole process's memory (`--max-memory`), in bytes; 0 when none.
static CAP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Caps what [`allowance`] reports: at most `bytes` in all, less what the process holds already
/// (`--max-memory`). `None` removes the cap.
pub fn set_cap(bytes: Option<u64>) {
    CAP.store(bytes.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
}

/// The cap set by [`set_cap`], if any.
pub fn cap() -> Option<u64> {
    match CAP.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        c => Some(c),
    }
}

/// Bytes this process may still allocate: the least of the memory the system has available
/// (`MemAvailable`), under an address-space limit (`ulimit -v`) that limit less what the
/// process has mapped already and what its threads' allocator arenas and stacks will reserve,
/// and under a cap ([`set_cap`]) that cap less what the process holds (its resident set).
/// `None` when none of these is known (not Linux, no cap).
pub fn allowance() -> Option<u64> {
    let field = |file: &str, key: &str| -> Option<u64> {
        let text = std::fs::read_to_string(file).ok()?;
        let line = text.lines().find(|l| l.starts_with(key))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    let available = field("/proc/meminfo", "MemAvailable:");
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    let address_space = if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0
        && limit.rlim_cur != libc::RLIM_INFINITY
    {
        let mapped = field("/proc/self/status", "VmSize:").unwrap_or(0);
        // Address space, not memory: each worker thread's allocator arena reserves 64 MiB of it
        // (glibc) and its stack a few more, whether used or not.
        let threads = rayon::current_num_threads() as u64;
        // `rlim_t` is `u64` on this target, not on every one.
        #[allow(clippy::unnecessary_cast)]
        Some(
            (limit.rlim_cur as u64)
                .saturating_sub(mapped)
                .saturating_sub(threads * (66 << 20)),
        )
    } else {
        None
    };
    let capped = cap().map(|c| c.saturating_sub(field("/proc/self/status", "VmRSS:").unwrap_or(0)));
    [available, address_space, capped]
        .into_iter()
        .flatten()
        .min()
}

/// Per-node scratch memory one thread's runs keep (state records, adopters in order, the queue
/// of landings): an upper estimate in bytes per node, whatever the engine.
pub const RUN_SCRATCH_PER_NODE: u64 = 40;

/// Refuses runs on `nodes` nodes over `threads` threads when their scratch memory
/// ([`RUN_SCRATCH_PER_NODE`] a node per thread) exceeds [`allowance`]: before any is allocated.
///
/// # Errors
/// Not enough memory, saying how much is needed and what to change.
pub fn check_run_scratch(nodes: usize, threads: usize) -> crate::Result<()> {
    let need = nodes as u64 * threads as u64 * RUN_SCRATCH_PER_NODE;
    match allowance() {
        Some(limit) if need > limit => Err(crate::Error::invalid(
            "--runs",
            "",
            format!(
                "the runs need about {} of scratch memory ({threads} threads × {nodes} nodes × {RUN_SCRATCH_PER_NODE} bytes), more than the {} {}; use fewer threads (RAYON_NUM_THREADS=1) or a smaller graph",
                human(need),
                human(limit),
                if cap().is_some() {
                    "that --max-memory leaves after the graph"
                } else {
                    "available after the graph"
                }
            ),
        )),
        _ => Ok(()),
    }
}

/// A number of bytes for people: `1.2 GiB`, `340 MiB`.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", b / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", (b / (1u64 << 20) as f64).max(1.0))
    }
}
