//! Helpers shared by the behaviour tests: finding avatars and external tools,
//! and the skip-unless-CI rule (under `CI=true` nothing skips).
#![allow(dead_code)]

use std::path::PathBuf;

pub mod http;
pub mod mouth;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Returns `false` (and says why) when a test must skip; panics under CI.
pub fn require(condition: bool, what: &str) -> bool {
    if condition {
        return true;
    }
    assert!(!under_ci(), "required under CI but missing: {what}");
    eprintln!("skipping: {what} (run scripts/setup.sh --test)");
    false
}

/// The reference avatar (test data from ../shared, never committed).
pub fn reference_avatar(decoded: bool) -> PathBuf {
    let name = if decoded {
        "mpfb-talkinghead.decoded.glb"
    } else {
        "mpfb-talkinghead.glb"
    };
    manifest_dir()
        .join("../shared/avatars/reference")
        .join(name)
}

/// The built default roles, sorted by id (empty before setup built them).
pub fn default_roles() -> Vec<PathBuf> {
    let dir = manifest_dir().join("avatars");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut glbs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter_map(|p| {
            let id = p.file_name()?.to_str()?.to_string();
            let glb = p.join(format!("{id}.glb"));
            glb.is_file().then_some(glb)
        })
        .collect();
    glbs.sort();
    glbs
}

/// Runs `node --test` on `files` and fails unless every node test passed
/// (and at least one ran).
pub fn run_node_tests(files: &[PathBuf]) {
    let out = std::process::Command::new("node")
        .arg("--test")
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node --test: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node --test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(!stdout.contains("# pass 0"), "no node test ran: {stdout}");
}
