//! Link options that make a short query start faster; each is measured in its comment.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    // Linux: a position-dependent executable. A PIE of this size spends most of a short query's
    // start-up applying ~180,000 load-time relocations (and copying the pages they touch); a
    // fixed load address resolves them all at link time.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
    // Release builds on Linux: the hot functions (`link-order.txt`, made by
    // `bench/link_order.py`) laid out together, so that a short query maps about 8 MB of code
    // instead of 31 MB (and unmaps it at exit). Only where the linker takes the option: LLVM's lld
    // does (Rust's default linker on x86_64 Linux since 1.90, where rustc ships it); GNU ld and
    // gold do not, and a build with them must not fail over it.
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=link-order.txt");
    println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let order = Path::new(&var("CARGO_MANIFEST_DIR")).join("link-order.txt");
    if var("PROFILE") == "release"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && order.exists()
        && linker_orders_symbols(&order)
    {
        println!(
            "cargo::rustc-link-arg-bin=kqlite=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // Names the linker does not find (a list older than a dependency) are skipped quietly.
        println!("cargo::rustc-link-arg-bin=kqlite=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether this build's linker takes `--symbol-ordering-file`: an empty program linked with it,
/// as this build links (same rustc, target, flags and configured linker), links.
fn linker_orders_symbols(order: &Path) -> bool {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let out_dir = PathBuf::from(var("OUT_DIR"));
    let source = out_dir.join("link_probe.rs");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let mut rustc = Command::new(var("RUSTC"));
    rustc
        .args(["--crate-name=link_probe", "--edition=2021", "--target"])
        .arg(var("TARGET"))
        .arg("-o")
        .arg(out_dir.join("link_probe"))
        .arg(format!(
            "-Clink-arg=-Wl,--symbol-ordering-file={}",
            order.display()
        ))
        .arg("-Clink-arg=-Wl,--no-warn-symbol-ordering")
        .arg(&source)
        .args(
            var("CARGO_ENCODED_RUSTFLAGS")
                .split('\x1f')
                .filter(|f| !f.is_empty()),
        );
    if let Ok(linker) = std::env::var("RUSTC_LINKER") {
        rustc.arg(format!("-Clinker={linker}"));
    }
    rustc
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
