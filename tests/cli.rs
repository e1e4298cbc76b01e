//! The command line as a user meets it: help, and bad input that must give a
//! clear error and a non-zero exit, never a panic or a half-written file.

use std::process::Command;

fn avatarcast() -> Command {
    Command::new(env!("CARGO_BIN_EXE_avatarcast"))
}

fn fails_with(args: &[&str], needle: &str) {
    fails_with_all(args, &[needle]);
}

/// Runs `avatarcast args` once: it must fail, without a panic, saying every
/// one of `needles`.
fn fails_with_all(args: &[&str], needles: &[&str]) {
    let out = avatarcast().args(args).output().expect("run avatarcast");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: expected `{needle}` in: {stderr}"
        );
    }
}

#[test]
fn help_lists_the_commands_and_render_options() {
    let out = avatarcast().arg("--help").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["render", "avatar", "bench"] {
        assert!(text.contains(cmd), "help lacks {cmd}: {text}");
    }
    let out = avatarcast()
        .args(["render", "--help"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--text",
        "--text-file",
        "--lang",
        "--voice",
        "--avatar",
        "--size",
        "--fps",
        "--background",
        "--png-frames",
        "--audio-codec",
    ] {
        assert!(text.contains(opt), "render help lacks {opt}");
    }
}

#[test]
fn empty_text_is_refused() {
    fails_with(
        &[
            "render",
            "--text",
            "   ",
            "--out",
            "/tmp/avatarcast-empty.mp4",
        ],
        "text is empty",
    );
}

#[test]
fn odd_sizes_and_bad_colours_are_refused() {
    fails_with(
        &[
            "render",
            "--text",
            "hi",
            "--out",
            "/tmp/x.mp4",
            "--size",
            "511x512",
        ],
        "even",
    );
    fails_with(
        &[
            "render",
            "--text",
            "hi",
            "--out",
            "/tmp/x.mp4",
            "--size",
            "big",
        ],
        "512x512",
    );
    fails_with(
        &[
            "render",
            "--text",
            "hi",
            "--out",
            "/tmp/x.mp4",
            "--lang",
            "fr",
        ],
        "fr",
    );
    fails_with(
        &[
            "render",
            "--text",
            "hi",
            "--out",
            "/tmp/x.mp4",
            "--avatar",
            "/nonexistent/a.glb",
        ],
        "avatar file not found",
    );
}

#[test]
fn a_missing_text_file_is_reported_with_its_path() {
    fails_with(
        &[
            "render",
            "--text-file",
            "/nonexistent/script.txt",
            "--out",
            "/tmp/x.mp4",
        ],
        "/nonexistent/script.txt",
    );
}

#[test]
fn a_broken_avatar_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("broken.glb");
    std::fs::write(&bad, b"glTF\x02\x00\x00\x00garbage").expect("write");
    let out = dir.path().join("out.mp4");
    fails_with(
        &[
            "render",
            "--text",
            "hello",
            "--avatar",
            bad.to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
        ],
        "broken.glb",
    );
    assert!(!out.exists(), "no output file is left behind on failure");
}

#[test]
fn a_bad_animation_config_names_the_key_its_range_and_the_file() {
    let dir = std::env::temp_dir().join(format!("avatarcast-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("bad-animation.toml");
    std::fs::write(&config, "[animation]\nexpression_strength = 9\n").expect("write config");
    let config = config.to_string_lossy().into_owned();
    fails_with_all(
        &[
            "render",
            "--text",
            "Hello.",
            "--config",
            &config,
            "--out",
            "/tmp/avatarcast-bad-config.mp4",
        ],
        &[
            "expression_strength must be 0..=1.5, got 9",
            "bad-animation.toml",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
