//! Links the `hongbao` executable at a fixed address on Linux (`-no-pie`).
//!
//! A position-independent executable this size carries about 65,000 relocations that the
//! dynamic loader applies at every start, writing 1.6 MB of tables (400 pages, each a page
//! fault): `hongbao --version` took 4.1-4.4 ms against 2.1 ms linked at a fixed address, and a
//! `seeds` command on a small graph 1.6-3.8 ms less (benches/RESULTS.md, 2026-12-07). Commands
//! that take tens of milliseconds (seeds against SUBSIM) pay that on every run. The cost: the
//! executable's own code and data are not at a random address (its libraries, heap and stack
//! still are). The library, its tests and the Python extension are unaffected: the flag is
//! given to binaries only.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
