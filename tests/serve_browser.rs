//! `avatarcast serve` seen from a real browser: this test starts the server
//! built with it on 127.0.0.1 inside a loopback-only network namespace and
//! runs tests/browser/serve_e2e.mjs against it. The script loads the product
//! page in headless Chromium and uses it like a visitor: first decoded frame
//! within 2 s, ≥ 24 decoded fps at 512×512, a question answered with state
//! and subtitle events, audio and a moving mouth that comes back to rest,
//! stop interrupting a long answer, and DELETE freeing the session.
//!
//! Needs node, tests/browser/node_modules (`npm ci --prefix tests/browser`),
//! /usr/bin/chromium, root for `unshare -n`, and a built default role
//! (`avatarcast avatar build`). Skips with a reason when any is missing, except
//! under `CI=true`. See docs/protocol.md and docs/testing-browser.md.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use avatarcast::avatar::Avatar;
use serde_json::Value;

/// The server's default frame size (docs/protocol.md).
const SIZE: u32 = 512;
/// The namespace is new and empty, so any port is free in it; a fixed one
/// lets the shell script start the server and the browser without a handshake.
const PORT: u16 = 18080;
/// Where serve_e2e_mock.mjs draws its mouth.
const MOCK_MOUTH_BOX: &str = "226,336,286,366";
/// Server start (avatar, voice, knowledge base) plus ~40 s of conversation; a
/// debug build on 2 shared cores is slow to start, this bounds a hang.
const RUN_LIMIT_SECS: u32 = 420;

/// The browser tests take turns: each runs a server and one or two Chromiums,
/// and on two cores running both at once would measure the contention.
static ONE_BROWSER_AT_A_TIME: Mutex<()> = Mutex::new(());

fn browser_dir() -> PathBuf {
    common::manifest_dir().join("tests/browser")
}

fn chromium_path() -> PathBuf {
    std::env::var_os("AVATARCAST_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn succeeds(command: &mut Command) -> bool {
    command.output().is_ok_and(|out| out.status.success())
}

fn node_available() -> bool {
    common::require(
        succeeds(Command::new("node").arg("--version")),
        "node is not installed (apt-get install nodejs npm)",
    )
}

/// Whether this machine can run the browser; says why not (or panics under CI).
fn browser_available() -> bool {
    node_available()
        && common::require(
            browser_dir()
                .join("node_modules/playwright-core/package.json")
                .is_file(),
            "tests/browser/node_modules is missing (npm ci --prefix tests/browser)",
        )
        && common::require(
            chromium_path().is_file(),
            "chromium is not installed (apt-get install chromium)",
        )
        && common::require(
            succeeds(Command::new("unshare").args(["-n", "ip", "link", "set", "lo", "up"])),
            "cannot make a loopback-only network namespace (`unshare -n` needs root, `ip` needs iproute2)",
        )
}

/// Where the mouth moves in the server's 512×512 frame: the avatar rendered at
/// rest and saying "aa" with the portrait camera the server uses, and the box
/// of pixels that changed (as tests/spine_mp4.rs does for files).
fn mouth_box(avatar: &Avatar) -> (u32, u32, u32, u32) {
    let (a, b) = common::mouth::rest_and_aa_frames(avatar, SIZE);
    if let Some(dir) = std::env::var_os("AVATARCAST_E2E_DEBUG_DIR") {
        let dir = PathBuf::from(dir);
        for (name, frame) in [("rest", &a), ("aa", &b)] {
            let path = dir.join(format!("mouth_{name}.png"));
            image::save_buffer(
                &path,
                &frame.rgba,
                SIZE,
                SIZE,
                image::ExtendedColorType::Rgba8,
            )
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        }
    }
    common::mouth::mouth_box(&a, &b)
}

/// Runs `server` (a command line) and serve_e2e.mjs in one fresh network
/// namespace; returns the script's JSON report, and its stderr (one line per
/// check) with the end of the server's log.
fn run_e2e(server: &[&str], mouth: &str, avatar_id: Option<&str>, log: &Path) -> (Value, String) {
    // The server is stopped with SIGTERM whatever the script's outcome, and
    // the script's status is kept. Paths go through the environment untouched.
    let shell = r#"ip link set lo up || exit 2
"$@" >"$SERVER_LOG" 2>&1 &
server=$!
node "$E2E_SCRIPT" --server "$E2E_URL" --mouth-box "$MOUTH_BOX" ${AVATAR:+--avatar "$AVATAR"}
status=$?
kill -TERM "$server" 2>/dev/null
wait "$server"
exit "$status""#;
    let mut command = Command::new("timeout");
    command
        .args(["-k", "10", &RUN_LIMIT_SECS.to_string()])
        .args(["unshare", "-n", "sh", "-c", shell, "sh"])
        .args(server)
        .env("SERVER_LOG", log)
        .env("E2E_SCRIPT", browser_dir().join("serve_e2e.mjs"))
        .env("E2E_URL", format!("http://127.0.0.1:{PORT}"))
        .env("MOUTH_BOX", mouth)
        .env("AVATAR", avatar_id.unwrap_or_default());
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let server_log = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = server_log.lines().collect();
    let tail = lines[lines.len().saturating_sub(40)..].join("\n");
    // Exit 1 means a check failed: the report says which. Anything else means
    // the run itself broke (124: the time limit).
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "serve_e2e.mjs did not finish ({}):\n{stderr}\n{stdout}\nserver log (last lines):\n{tail}",
        out.status
    );
    let report =
        serde_json::from_str(stdout.lines().next().unwrap_or_default()).unwrap_or_else(|e| {
            panic!("serve_e2e.mjs printed no JSON report ({e}):\n{stdout}\n{stderr}")
        });
    (
        report,
        format!("{stderr}\nserver log (last lines):\n{tail}"),
    )
}

/// The checks of a report that did not pass, as `name: detail`.
fn failed_checks(report: &Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter(|check| check["ok"] != true)
        .map(|check| format!("{}: {}", check["name"], check["detail"]))
        .collect()
}

#[test]
fn live_avatar_in_headless_chromium() {
    if !browser_available() {
        return;
    }
    let _turn = ONE_BROWSER_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(glb) = common::default_roles().into_iter().next() else {
        common::require(
            false,
            "no built default role in avatars/<id>/<id>.glb (`avatarcast avatar build`)",
        );
        return;
    };
    let avatar_id = glb
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("role files are named <id>.glb")
        .to_string();
    let avatar = Avatar::load(&glb).unwrap_or_else(|e| panic!("load {}: {e}", glb.display()));
    let mouth = mouth_box(&avatar);
    eprintln!("mouth box in the {SIZE}x{SIZE} frame of {avatar_id}: {mouth:?}");

    let dir = tempfile::tempdir().expect("a temporary folder for the server log");
    let bind = format!("127.0.0.1:{PORT}");
    let server = [env!("CARGO_BIN_EXE_avatarcast"), "serve", "--bind", &bind];
    let (x0, y0, x1, y1) = mouth;
    let (report, log) = run_e2e(
        &server,
        &format!("{x0},{y0},{x1},{y1}"),
        Some(&avatar_id),
        &dir.path().join("serve.log"),
    );
    eprintln!("{log}");
    eprintln!("measured: {}", report["measured"]);
    assert_eq!(
        report["outsideInterfaces"],
        serde_json::json!([]),
        "the browser ran with a network interface besides loopback"
    );
    let failed = failed_checks(&report);
    let passed = report["passed"].as_u64().unwrap_or(0);
    eprintln!("{passed} passed, {} failed", failed.len());
    assert!(passed > 0, "no check ran: {report}");
    assert!(failed.is_empty(), "browser checks failed: {failed:#?}");
}

#[test]
fn the_e2e_catches_a_mouth_that_does_not_move() {
    // The same script against serve_e2e_mock.mjs, a stand-in server whose face
    // never opens its mouth: the mouth check must fail, and everything else
    // (page, WebRTC, chat, subtitles, stop, DELETE) must pass, so a green run
    // above means the avatar really spoke. Needs no avatar and no GPU.
    if !browser_available() {
        return;
    }
    let _turn = ONE_BROWSER_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = tempfile::tempdir().expect("a temporary folder for the mock's log");
    let mock = browser_dir().join("serve_e2e_mock.mjs");
    let port = PORT.to_string();
    let mock = mock.to_str().expect("the checkout path is UTF-8");
    let server = ["node", mock, "--port", &port, "--frozen-mouth"];
    let (report, log) = run_e2e(&server, MOCK_MOUTH_BOX, None, &dir.path().join("mock.log"));
    let failed = failed_checks(&report);
    let mouth_failures: Vec<&String> = failed.iter().filter(|f| f.contains("mouth")).collect();
    assert!(
        failed
            .iter()
            .any(|f| f.starts_with("\"the mouth moves on decoded frames while speaking\"")),
        "a frozen mouth passed the mouth check: {report}\n{log}"
    );
    assert_eq!(
        mouth_failures.len(),
        failed.len(),
        "only the mouth checks may fail against the mock: {failed:#?}\n{log}"
    );
}

#[test]
fn e2e_helpers_and_page_logic_hold_without_a_browser() {
    // The e2e's verdicts and the page's subtitle timing, strings and WHEP
    // helpers have node unit tests, cheap enough to run wherever node is.
    if !node_available() {
        return;
    }
    let dir = browser_dir();
    common::run_node_tests(&[
        dir.join("serve_e2e_checks.test.mjs"),
        dir.join("serve_e2e_web.test.mjs"),
    ]);
}
