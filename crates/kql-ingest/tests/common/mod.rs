//! Helpers shared by the engine's integration tests.

use std::path::{Path, PathBuf};

/// An empty folder `group/name` under Cargo's scratch directory for integration tests.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}
