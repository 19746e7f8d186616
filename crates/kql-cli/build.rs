//! Links `kqlite` as a position-dependent executable. A PIE of this size spends most of a short
//! query's start-up applying ~180,000 load-time relocations (and copying the pages they touch);
//! a fixed load address resolves them all at link time.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
