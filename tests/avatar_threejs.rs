//! Avatar files must load in three.js, not only in our own loader: the reference
//! avatar and every built default role go through three.js's GLTFLoader in
//! headless Chromium (tests/browser/threejs_load.mjs), with the mouth morphs
//! driven and, where the browser has software WebGL, the face rendered.
//!
//! Needs node, tests/browser/node_modules (`npm ci --prefix tests/browser`),
//! /usr/bin/chromium and root for `unshare -n`: the browser runs in a network
//! namespace with only loopback, so nothing leaves the machine. Skips with a
//! reason when any is missing, except under `CI=true`. See docs/testing-browser.md.

mod common;
#[path = "avatar_loader/tiny.rs"]
#[allow(
    dead_code,
    reason = "shared with avatar_loader; this test uses only tiny_glb"
)]
mod tiny;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

/// Names a lip-sync player drives on the reference avatar: ARKit jaw and blink,
/// and an Oculus viseme.
const REFERENCE_MORPHS: &[&str] = &["jawOpen", "eyeBlinkLeft", "viseme_aa"];
/// Our roles also carry the VRM 1.0 expression names as morph targets.
const ROLE_MORPHS: &[&str] = &[
    "jawOpen",
    "eyeBlinkLeft",
    "viseme_aa",
    "aa",
    "blink",
    "happy",
];
/// A whole run takes ~4 s per avatar on 2 shared cores; this bounds a hung browser.
const RUN_LIMIT_SECS: u32 = 120;
const PER_FILE_LIMIT_SECS: u32 = 45;

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

/// Whether this machine can run the browser; says why not (or panics under CI).
fn browser_available() -> bool {
    let modules = browser_dir().join("node_modules");
    common::require(
        succeeds(Command::new("node").arg("--version")),
        "node is not installed (apt-get install nodejs npm)",
    ) && common::require(
        modules.join("playwright-core/package.json").is_file()
            && modules.join("three/package.json").is_file(),
        "tests/browser/node_modules is missing (npm ci --prefix tests/browser)",
    ) && common::require(
        chromium_path().is_file(),
        "chromium is not installed (apt-get install chromium)",
    ) && common::require(
        succeeds(Command::new("unshare").args(["-n", "ip", "link", "set", "lo", "up"])),
        "cannot make a loopback-only network namespace (`unshare -n` needs root, `ip` needs iproute2)",
    )
}

/// Runs threejs_load.mjs on `files` inside `unshare -n` and returns its JSON report.
fn load_in_threejs(files: &[&Path]) -> Value {
    let script = browser_dir().join("threejs_load.mjs");
    let mut command = Command::new("timeout");
    command
        .args(["-k", "5", &RUN_LIMIT_SECS.to_string()])
        .args(["unshare", "-n", "sh", "-c"])
        // `$0` and `$@` pass the paths through sh untouched, spaces and all.
        .arg(r#"ip link set lo up && exec node "$0" "$@""#)
        .arg(&script)
        .args(["--timeout-secs", &PER_FILE_LIMIT_SECS.to_string()])
        .args(files);
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit 1 means a check failed: the report says which, and the asserts below
    // name it. Anything else means the run itself broke.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "threejs_load.mjs did not finish ({}; 124 is a timeout):\n{stderr}\n{stdout}",
        out.status
    );
    let json_line = stdout.lines().next().unwrap_or_default();
    serde_json::from_str(json_line).unwrap_or_else(|e| {
        panic!("threejs_load.mjs printed no JSON report ({e}):\n{stdout}\n{stderr}")
    })
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The mesh a face driver targets: of those with `jawOpen`, the one with the most
/// morph targets (the head or body; teeth, tongue and lashes carry subsets).
fn face_mesh(file: &Value) -> Option<&Value> {
    let meshes = file["meshes"].as_array()?;
    meshes
        .iter()
        .filter(|mesh| strings(&mesh["morphTargets"]).contains(&"jawOpen"))
        .max_by_key(|mesh| mesh["morphTargets"].as_array().map_or(0, Vec::len))
}

fn assert_loads_in_threejs(file: &Value, required_morphs: &[&str]) {
    let path = file["path"].as_str().unwrap_or("?");
    assert_eq!(
        file["load"]["ok"], true,
        "GLTFLoader failed: {}: {path}",
        file["load"]["error"]
    );
    let page_errors = strings(&file["pageErrors"]);
    assert!(
        page_errors.is_empty(),
        "page errors {page_errors:?}: {path}"
    );

    let meshes = file["meshes"].as_array().map_or(&[][..], Vec::as_slice);
    assert!(!meshes.is_empty(), "three.js made no meshes: {path}");
    for mesh in meshes.iter().filter(|mesh| mesh["skinned"] == true) {
        assert!(
            mesh["bones"].as_u64() > Some(0),
            "skinned mesh {} has no bones: {path}",
            mesh["name"]
        );
    }

    let face = face_mesh(file)
        .unwrap_or_else(|| panic!("no mesh has a jawOpen morph target in three.js: {path}"));
    let names = strings(&face["morphTargets"]);
    let missing: Vec<&&str> = required_morphs
        .iter()
        .filter(|name| !names.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "face mesh {} lacks morph targets {missing:?} (has {names:?}): {path}",
        face["name"]
    );

    // The script's own checks: no console errors or three.js warnings, textures
    // decode, jawOpen/viseme_aa move vertices, and (with WebGL) change the frame.
    let failed: Vec<String> = file["checks"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter(|check| check["ok"] == false)
        .map(|check| format!("{}: {}", check["name"], check["detail"]))
        .collect();
    assert!(
        failed.is_empty(),
        "three.js checks failed {failed:#?}: {path}"
    );

    let render = &file["render"];
    eprintln!(
        "{path}: {} meshes, face {} with {} morphs; render {} {}",
        meshes.len(),
        face["name"],
        names.len(),
        render["status"],
        render["changedPixels"]
    );
}

#[test]
fn reference_and_default_roles_load_in_threejs() {
    if !browser_available() {
        return;
    }
    let mut cases: Vec<(PathBuf, &[&str])> = Vec::new();
    let reference = common::reference_avatar(false);
    if common::require(
        reference.is_file(),
        &format!("reference avatar missing: {}", reference.display()),
    ) {
        cases.push((reference, REFERENCE_MORPHS));
    }
    let roles = common::default_roles();
    if common::require(
        !roles.is_empty(),
        "no built default roles in avatars/<id>/<id>.glb (`avatarcast avatar build`)",
    ) {
        cases.extend(roles.into_iter().map(|role| (role, ROLE_MORPHS)));
    }
    if cases.is_empty() {
        return;
    }

    let paths: Vec<&Path> = cases.iter().map(|(path, _)| path.as_path()).collect();
    let report = load_in_threejs(&paths);
    assert_eq!(
        report["outsideInterfaces"],
        serde_json::json!([]),
        "the browser ran with a network interface besides loopback"
    );
    let files = report["files"].as_array().map_or(&[][..], Vec::as_slice);
    assert_eq!(files.len(), cases.len(), "one report per file: {report}");
    for (file, (_, required_morphs)) in files.iter().zip(&cases) {
        assert_loads_in_threejs(file, required_morphs);
    }
}

#[test]
fn load_script_rules_hold_without_a_browser() {
    // The pass/fail rules and the loopback file server have their own node tests,
    // cheap enough to run wherever node is, browser or not.
    if !common::require(
        succeeds(Command::new("node").arg("--version")),
        "node is not installed (apt-get install nodejs npm)",
    ) {
        return;
    }
    let dir = browser_dir();
    common::run_node_tests(&[
        dir.join("threejs_checks.test.mjs"),
        dir.join("static_server.test.mjs"),
    ]);
}

#[test]
fn the_checks_catch_a_file_three_js_only_half_loads() {
    // Our own tiny skinned quad with a `jawOpen` morph, once as written and once
    // with more target names than targets: three.js then drops every name with a
    // warning, and a face driver could not find `jawOpen`. Needs no avatar data.
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder for the tiny GLBs");
    let spec_clean = |gltf: &mut Value| {
        // glTF requires min/max on POSITION accessors, and three.js warns without
        // them; the tiny file leaves them out to test our loader's leniency.
        gltf["accessors"][0]["min"] = json!([0.0, 0.0, 0.0]);
        gltf["accessors"][0]["max"] = json!([1.0, 1.0, 0.0]);
        gltf["accessors"][3]["min"] = json!([0.0, 0.0, 0.0]);
        gltf["accessors"][3]["max"] = json!([0.0, 0.0, 0.5]);
        // The unskinned strip primitive makes three.js turn skinning off for it.
        gltf["meshes"][0]["primitives"]
            .as_array_mut()
            .expect("tiny glTF has primitives")
            .truncate(1);
    };
    let good = tiny::write_temp(&dir, "tiny.glb", &tiny::tiny_glb(spec_clean));
    let broken = tiny::write_temp(
        &dir,
        "names.glb",
        &tiny::tiny_glb(|gltf| {
            spec_clean(gltf);
            gltf["meshes"][0]["extras"]["targetNames"] = json!(["jawOpen", "extra"]);
        }),
    );
    let report = load_in_threejs(&[&good, &broken]);
    let files = report["files"].as_array().map_or(&[][..], Vec::as_slice);
    assert_eq!(files.len(), 2, "one report per file: {report}");

    assert_loads_in_threejs(&files[0], &["jawOpen"]);
    assert_eq!(files[0]["meshes"][0]["bones"], 2, "{report}");

    let outcome = |name: &str| {
        let checks = files[1]["checks"].as_array().map_or(&[][..], Vec::as_slice);
        let check = checks.iter().find(|check| check["name"] == name);
        check.map(|check| (check["ok"].clone(), check["detail"].to_string()))
    };
    assert_eq!(files[1]["load"]["ok"], true, "it half-loads: {report}");
    let (ok, detail) = outcome("no three.js warnings").expect("warning check ran");
    assert!(
        ok == false && detail.contains("Invalid extras.targetNames length"),
        "{detail}"
    );
    let (ok, detail) = outcome("mouth morphs move vertices").expect("morph check ran");
    assert!(
        ok == false && detail.contains("none of jawOpen"),
        "{detail}"
    );
    assert!(
        face_mesh(&files[1]).is_none(),
        "names were dropped: {report}"
    );
}
