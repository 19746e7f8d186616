//! Link options that make a short query start faster; each is measured in its comment.

use std::path::Path;
use std::process::Command;

fn main() {
    // Linux: a position-dependent executable. A PIE of this size spends most of a short query's
    // start-up applying ~180,000 load-time relocations (and copying the pages they touch); a
    // fixed load address resolves them all at link time.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
    // Release builds on x86_64 Linux: the hot functions (`link-order.txt`, made by
    // `bench/link_order.py`) laid out together, so that a short query maps about 8 MB of code
    // instead of 30 MB (and unmaps it at exit). Only where the linker is LLVM's lld, Rust's
    // default there since 1.90: other linkers do not know the option.
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=link-order.txt");
    println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let release = var("PROFILE") == "release";
    let target = var("TARGET") == "x86_64-unknown-linux-gnu";
    // A linker chosen in the configuration or the flags may not be lld.
    let own_linker = !var("RUSTC_LINKER").is_empty()
        || var("CARGO_ENCODED_RUSTFLAGS")
            .split('\x1f')
            .any(|f| f.contains("linker") || f.contains("fuse-ld"));
    let order = Path::new(&var("CARGO_MANIFEST_DIR")).join("link-order.txt");
    if release && target && !own_linker && rustc_links_with_lld(&var("RUSTC")) && order.exists() {
        println!(
            "cargo::rustc-link-arg-bin=kqlite=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // Names the linker does not find (a list older than a dependency) are skipped quietly.
        println!("cargo::rustc-link-arg-bin=kqlite=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether `rustc` is 1.90 or newer, the first to link with lld by default on this target.
fn rustc_links_with_lld(rustc: &str) -> bool {
    let Ok(out) = Command::new(rustc).arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let mut version = text
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (version.next().unwrap_or(0), version.next().unwrap_or(0));
    major > 1 || (major == 1 && minor >= 90)
}
