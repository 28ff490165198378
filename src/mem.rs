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

/// Hints the CPU to fetch `v[i]` into the cache (no effect off x86-64, or out of bounds).
#[inline(always)]
pub fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if i < v.len() {
        // SAFETY: the address is inside `v`; a prefetch never faults and changes no memory.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch(v.as_ptr().add(i) as *const i8, _MM_HINT_T0);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}
