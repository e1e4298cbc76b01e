//! Loading glTF/GLB/VRM avatars: a tiny GLB built here in memory exercises
//! every accessor feature; the reference avatar (../shared/avatars/reference,
//! outside git) checks a real, meshopt-compressed, quantised model.

use std::path::{Path, PathBuf};

use avatarcast::avatar::{AlphaMode, Avatar, AvatarError, AvatarWarning, WrapMode, build_glb};
use glam::{Mat4, Quat, Vec3};
use serde_json::{Value, json};

// ---------------------------------------------------------------- tiny GLB

/// A little-endian byte buffer whose views stay 4-byte aligned.
#[derive(Default)]
struct Bin {
    bytes: Vec<u8>,
    views: Vec<Value>,
}

impl Bin {
    /// Appends `data` as a new buffer view and returns its index.
    fn view(&mut self, data: &[u8], stride: Option<usize>) -> usize {
        while self.bytes.len() % 4 != 0 {
            self.bytes.push(0);
        }
        let mut view =
            json!({"buffer": 0, "byteOffset": self.bytes.len(), "byteLength": data.len()});
        if let Some(s) = stride {
            view["byteStride"] = json!(s);
        }
        self.bytes.extend_from_slice(data);
        self.views.push(view);
        self.views.len() - 1
    }
}

fn png_2x2() -> Vec<u8> {
    let pixels = [
        255u8, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 128,
    ];
    let img = image::RgbaImage::from_raw(2, 2, pixels.to_vec()).expect("2x2 RGBA");
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encodes");
    out.into_inner()
}

/// A unit quad in the XY plane facing +Z, skinned to two joints (`Root` and
/// `Head` one metre up), with a sparse `jawOpen` morph, quantised UVs and
/// weights, a strided position buffer, a strip primitive and a PNG texture.
/// `edit` may break the JSON before it is packed.
fn tiny_gltf(edit: impl FnOnce(&mut Value)) -> (Value, Vec<u8>) {
    let mut bin = Bin::default();
    // POSITION, 16-byte stride: xyz then 4 bytes of padding.
    let positions = [
        [0.0f32, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [1.0, 1.0, 0.0],
        [0.0, 1.0, 0.0],
    ];
    let mut strided = Vec::new();
    for p in positions {
        for c in p {
            strided.extend_from_slice(&c.to_le_bytes());
        }
        strided.extend_from_slice(&[0xEE; 4]);
    }
    let v_pos = bin.view(&strided, Some(16));
    let indices: Vec<u8> = [0u16, 1, 2, 0, 2, 3]
        .iter()
        .flat_map(|i| i.to_le_bytes())
        .collect();
    let v_idx = bin.view(&indices, None);
    let uvs: Vec<u8> = [[0u16, 65535], [65535, 65535], [65535, 0], [0, 0]]
        .iter()
        .flatten()
        .flat_map(|c| c.to_le_bytes())
        .collect();
    let v_uv = bin.view(&uvs, None);
    let v_sparse_idx = bin.view(&[2u8], None);
    let v_sparse_val = bin.view(&[0.0f32, 0.0, 0.5].map(f32::to_le_bytes).concat(), None);
    let v_joints = bin.view(&[0u8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], None);
    let v_weights = bin.view(
        &[255u8, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0],
        None,
    );
    let ibm: Vec<u8> = [
        Mat4::IDENTITY,
        Mat4::from_translation(Vec3::new(0.0, -1.0, 0.0)),
    ]
    .iter()
    .flat_map(|m| m.to_cols_array())
    .flat_map(f32::to_le_bytes)
    .collect();
    let v_ibm = bin.view(&ibm, None);
    let v_png = bin.view(&png_2x2(), None);

    let mut gltf = json!({
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0, 2]}],
        "nodes": [
            {"name": "Root", "children": [1]},
            {"name": "Head", "translation": [0.0, 1.0, 0.0]},
            {"name": "Face", "mesh": 0, "skin": 0}
        ],
        "skins": [{"joints": [0, 1], "inverseBindMatrices": 7}],
        "meshes": [{
            "name": "face",
            "extras": {"targetNames": ["jawOpen"]},
            "weights": [0.25],
            "primitives": [
                {"attributes": {"POSITION": 0, "TEXCOORD_0": 2, "JOINTS_0": 4, "WEIGHTS_0": 5},
                 "indices": 1, "material": 0, "targets": [{"POSITION": 3}]},
                {"attributes": {"POSITION": 0}, "mode": 5}
            ]
        }],
        "materials": [{"name": "skin", "alphaMode": "MASK", "alphaCutoff": 0.3, "doubleSided": true,
                        "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0.0}}],
        "textures": [{"source": 0, "sampler": 0}],
        "samplers": [{"wrapS": 33071, "wrapT": 33648, "magFilter": 9728}],
        "images": [{"bufferView": v_png, "mimeType": "image/png"}],
        "accessors": [
            {"bufferView": v_pos, "componentType": 5126, "count": 4, "type": "VEC3"},
            {"bufferView": v_idx, "componentType": 5123, "count": 6, "type": "SCALAR"},
            {"bufferView": v_uv, "componentType": 5123, "normalized": true, "count": 4, "type": "VEC2"},
            {"componentType": 5126, "count": 4, "type": "VEC3",
             "sparse": {"count": 1, "indices": {"bufferView": v_sparse_idx, "componentType": 5121},
                        "values": {"bufferView": v_sparse_val}}},
            {"bufferView": v_joints, "componentType": 5121, "count": 4, "type": "VEC4"},
            {"bufferView": v_weights, "componentType": 5121, "normalized": true, "count": 4, "type": "VEC4"},
            {"componentType": 5126, "count": 0, "type": "SCALAR"},
            {"bufferView": v_ibm, "componentType": 5126, "count": 2, "type": "MAT4"}
        ],
        "bufferViews": bin.views,
        "buffers": [{"byteLength": bin.bytes.len()}]
    });
    edit(&mut gltf);
    (gltf, bin.bytes)
}

fn tiny_glb(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (json, bin) = tiny_gltf(edit);
    build_glb(&json.to_string(), &bin)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        out.push_str(&"=".repeat(3 - chunk.len()));
    }
    out
}

fn approx(a: impl Into<Vec3>, b: impl Into<Vec3>, tolerance: f32) -> bool {
    a.into().distance(b.into()) <= tolerance
}

#[test]
fn tiny_glb_reads_every_accessor_feature() {
    let avatar = Avatar::from_glb_bytes(&tiny_glb(|_| {}), "tiny").expect("tiny GLB loads");
    assert_eq!(avatar.meshes.len(), 1);
    let mesh = &avatar.meshes[0];
    assert_eq!(mesh.morph_names, ["jawOpen"]);
    assert_eq!(mesh.default_weights, [0.25]);
    let quad = &mesh.primitives[0];
    // The 16-byte stride skips the padding.
    assert_eq!(quad.positions[2], [1.0, 1.0, 0.0]);
    assert_eq!(quad.indices, [0, 1, 2, 0, 2, 3]);
    // Normalized u16 UVs: 65535 is 1.0.
    assert_eq!(quad.uvs[0], [0.0, 1.0]);
    assert_eq!(quad.uvs[2], [1.0, 0.0]);
    // No NORMAL in the file: generated, facing +Z like the quad's winding.
    for n in &quad.normals {
        assert!(approx(*n, Vec3::Z, 1e-5), "{n:?}");
    }
    // The sparse morph target moves only vertex 2, and is made dense.
    assert_eq!(quad.targets.len(), 1);
    assert_eq!(
        quad.targets[0].positions,
        [[0.0; 3], [0.0; 3], [0.0, 0.0, 0.5], [0.0; 3]]
    );
    // Normalized u8 weights sum to one.
    assert_eq!(
        quad.weights.as_ref().expect("weights")[3],
        [1.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(quad.joints.as_ref().expect("joints")[3], [1, 0, 0, 0]);
    // The strip primitive becomes a list and gets a zero delta for the mesh's target.
    let strip = &mesh.primitives[1];
    assert_eq!(strip.indices, [0, 1, 2, 2, 1, 3]);
    assert_eq!(strip.targets[0].positions, vec![[0.0; 3]; 4]);
}

#[test]
fn tiny_glb_materials_textures_and_skin() {
    let avatar = Avatar::from_glb_bytes(&tiny_glb(|_| {}), "tiny").expect("tiny GLB loads");
    let material = &avatar.materials[0];
    assert_eq!(material.alpha_mode, AlphaMode::Mask(0.3));
    assert!(material.double_sided);
    assert_eq!(material.metallic_factor, 0.0);
    assert_eq!(material.base_color_texture.map(|t| t.texture), Some(0));
    let texture = &avatar.textures[0];
    assert_eq!((texture.width, texture.height), (2, 2));
    assert_eq!(&texture.rgba8[..4], &[255, 0, 0, 255]);
    assert_eq!(&texture.rgba8[12..], &[255, 255, 255, 128]);
    assert_eq!(texture.wrap_u, WrapMode::ClampToEdge);
    assert_eq!(texture.wrap_v, WrapMode::MirroredRepeat);
    assert!(texture.nearest);

    assert_eq!(avatar.skins[0].joints, [0, 1]);
    assert_eq!(avatar.roots, [0, 2]);
    assert_eq!(avatar.humanoid.head, Some(1));
    assert_eq!(avatar.find_node("head"), Some(1));
    // At rest every joint matrix is the identity: the IBMs invert the rest pose.
    let world = avatar.world_matrices(&[]);
    for m in avatar.joint_matrices(0, 2, &world) {
        assert!(m.abs_diff_eq(Mat4::IDENTITY, 1e-6), "{m:?}");
    }
    // Turning Root a quarter about Z swings Head from +Y to -X.
    let turned = avatar.world_matrices(&[(0, Quat::from_rotation_z(std::f32::consts::FRAC_PI_2))]);
    assert!(approx(
        turned[1].w_axis.truncate(),
        Vec3::new(-1.0, 0.0, 0.0),
        1e-5
    ));
    let (min, max) = avatar.bounds();
    assert!(approx(min, Vec3::ZERO, 1e-6) && approx(max, Vec3::new(1.0, 1.0, 0.0), 1e-6));
}

#[test]
fn gltf_with_data_uri_and_external_buffers_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut json, bin) = tiny_gltf(|_| {});
    json["buffers"][0]["uri"] = json!(format!(
        "data:application/octet-stream;base64,{}",
        base64(&bin)
    ));
    let embedded =
        Avatar::from_gltf_json(json.to_string().as_bytes(), None, "embedded").expect("data URI");
    assert_eq!(
        embedded.meshes[0].primitives[0].positions[1],
        [1.0, 0.0, 0.0]
    );

    std::fs::write(dir.path().join("tiny data.bin"), &bin).expect("write bin");
    json["buffers"][0]["uri"] = json!("tiny%20data.bin");
    let path = dir.path().join("tiny.gltf");
    std::fs::write(&path, json.to_string()).expect("write gltf");
    let (avatar, warnings) = Avatar::load_with_warnings(&path).expect("external buffer loads");
    assert_eq!(avatar.name, "tiny");
    assert_eq!(avatar.textures[0].width, 2);
    assert!(
        warnings.contains(&AvatarWarning::NoBlinkShapes),
        "{warnings:?}"
    );
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

#[test]
fn broken_inputs_give_the_right_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let glb = tiny_glb(|_| {});
    let truncated = Avatar::from_glb_bytes(&glb[..glb.len() - 40], "cut");
    assert!(
        matches!(truncated, Err(AvatarError::TruncatedGlb { .. })),
        "{truncated:?}"
    );
    let message = truncated.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains(&glb.len().to_string()),
        "says the expected length: {message}"
    );

    let bad_accessor = Avatar::from_glb_bytes(
        &tiny_glb(|j| j["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = json!(99)),
        "bad",
    );
    assert!(
        matches!(
            bad_accessor,
            Err(AvatarError::IndexOutOfRange {
                kind: "accessor",
                index: 99,
                ..
            })
        ),
        "{bad_accessor:?}"
    );
    let out_of_bounds =
        Avatar::from_glb_bytes(&tiny_glb(|j| j["accessors"][0]["count"] = json!(40)), "oob");
    assert!(
        matches!(out_of_bounds, Err(AvatarError::AccessorOutOfBounds { .. })),
        "{out_of_bounds:?}"
    );

    let missing_image =
        Avatar::from_glb_bytes(&tiny_glb(|j| j["textures"][0]["source"] = json!(7)), "tex");
    assert!(
        matches!(
            missing_image,
            Err(AvatarError::MissingTexture { texture: 0, .. })
        ),
        "{missing_image:?}"
    );

    let (mut json, bin) = tiny_gltf(|j| {
        j["images"][0] = json!({"uri": "skin.png"});
    });
    json["buffers"][0]["uri"] = json!(format!(
        "data:application/octet-stream;base64,{}",
        base64(&bin)
    ));
    let path = write_temp(&dir, "no-image.gltf", json.to_string().as_bytes());
    let missing_file = Avatar::load(&path);
    assert!(
        matches!(missing_file, Err(AvatarError::MissingImageFile { .. })),
        "{missing_file:?}"
    );

    let required = Avatar::from_glb_bytes(
        &tiny_glb(|j| j["extensionsRequired"] = json!(["KHR_draco_mesh_compression"])),
        "draco",
    );
    match required {
        Err(e @ AvatarError::UnsupportedExtension { .. }) => {
            assert!(e.to_string().contains("KHR_draco_mesh_compression"))
        }
        other => panic!("expected UnsupportedExtension, got {other:?}"),
    }

    let bad_json = Avatar::from_gltf_json(b"{\"asset\": ", None, "json");
    assert!(
        matches!(bad_json, Err(AvatarError::BadJson { .. })),
        "{bad_json:?}"
    );
    let not_gltf = write_temp(&dir, "notes.glb", b"hello, world");
    assert!(matches!(
        Avatar::load(&not_gltf),
        Err(AvatarError::NotGltf { .. })
    ));
    let missing = Avatar::load(&dir.path().join("absent.glb"));
    assert!(
        matches!(missing, Err(AvatarError::Io { .. })),
        "{missing:?}"
    );
}

#[test]
fn an_avatar_without_mouth_morphs_cannot_lip_sync() {
    let dir = tempfile::tempdir().expect("temp dir");
    let glb = tiny_glb(|j| j["meshes"][0]["extras"]["targetNames"] = json!(["browInnerUp"]));
    let path = write_temp(&dir, "mute.glb", &glb);
    let err = Avatar::load(&path).expect_err("no mouth morphs");
    assert!(matches!(err, AvatarError::NoMouthMorphs { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("viseme_") && message.contains("jawOpen"),
        "{message}"
    );
    // The same bytes load fine without the lip-sync check.
    assert!(Avatar::from_glb_bytes(&glb, "mute").is_ok());
    // A VRM whose `aa` expression binds a morph can lip-sync.
    let vrm = tiny_glb(|j| {
        j["meshes"][0]["extras"]["targetNames"] = json!(["Fcl_MTH_A"]);
        j["extensionsUsed"] = json!(["VRM"]);
        j["extensions"] = json!({"VRM": {"blendShapeMaster": {"blendShapeGroups": [
            {"name": "A", "presetName": "a", "binds": [{"mesh": 0, "index": 0, "weight": 100}]}]}}});
    });
    let avatar = Avatar::load(&write_temp(&dir, "talker.vrm", &vrm)).expect("VRM 0.x loads");
    assert_eq!(avatar.expression("aa").map(|e| e.binds.len()), Some(1));
    // VRM 0.x faces -Z; the loader turns it to +Z, so the quad now lies at x <= 0.
    let (min, max) = avatar.bounds();
    assert!(
        approx(min, Vec3::new(-1.0, 0.0, 0.0), 1e-5) && approx(max, Vec3::new(0.0, 1.0, 0.0), 1e-5)
    );
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any truncation or byte corruption of a valid GLB is an error or a
        /// model, never a panic.
        #[test]
        fn corrupt_glb_never_panics(
            cut in 0usize..2000,
            flips in proptest::collection::vec((0usize..2000, any::<u8>()), 0..8),
        ) {
            let mut glb = tiny_glb(|_| {});
            for (at, byte) in flips {
                let at = at % glb.len();
                glb[at] = byte;
            }
            glb.truncate(cut.min(glb.len()));
            let _ = Avatar::from_glb_bytes(&glb, "fuzz");
        }

        /// Digits in the JSON changed at random (indices, counts, offsets).
        #[test]
        fn corrupt_json_numbers_never_panic(seed in proptest::collection::vec(any::<(u16, u8)>(), 1..6)) {
            let (json, bin) = tiny_gltf(|_| {});
            let mut text = json.to_string().into_bytes();
            let digits: Vec<usize> = text.iter().enumerate().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
            for (at, value) in seed {
                let i = digits[at as usize % digits.len()];
                text[i] = b"0123456789"[value as usize % 10];
            }
            let text = String::from_utf8(text).expect("still ASCII");
            let _ = Avatar::from_glb_bytes(&build_glb(&text, &bin), "fuzz");
        }
    }
}

// ---------------------------------------------------------------- reference

fn reference(file: &str) -> Option<PathBuf> {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/avatars/reference/"
    ))
    .join(file);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "reference avatar missing under CI: {path:?}"
    );
    eprintln!("skipping: reference avatar not found (see shared/avatars/README.md): {path:?}");
    None
}

const ARKIT_52: [&str; 52] = [
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawOpen",
    "jawRight",
    "mouthClose",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthFunnel",
    "mouthLeft",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthPucker",
    "mouthRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "noseSneerLeft",
    "noseSneerRight",
    "tongueOut",
];
const VISEMES_14: [&str; 14] = [
    "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U",
];

fn check_reference(avatar: &Avatar) {
    assert_eq!(avatar.meshes.len(), 8);
    assert_eq!(avatar.vertex_count(), 50_033);
    assert_eq!(avatar.triangle_count(), 78_194);
    let base = &avatar.meshes[avatar
        .meshes
        .iter()
        .position(|m| m.name == "base")
        .expect("base mesh")];
    assert_eq!(base.morph_names.len(), 66);
    for name in ARKIT_52 {
        assert!(base.morph_index(name).is_some(), "base lacks {name}");
    }
    for v in VISEMES_14 {
        assert!(
            base.morph_index(&format!("viseme_{v}")).is_some(),
            "base lacks viseme_{v}"
        );
    }
    for mesh in ["teeth_base", "tongue01", "mind_eyelashes_02"] {
        let m = avatar.meshes.iter().find(|m| m.name == mesh).expect(mesh);
        assert!(!m.morph_names.is_empty(), "{mesh} has morphs");
        assert!(
            m.primitives
                .iter()
                .all(|p| p.targets.len() == m.morph_names.len())
        );
    }
    let jaw = avatar.morph_targets_named("jawOpen");
    assert!(
        jaw.len() >= 3,
        "jawOpen drives face, teeth and tongue: {jaw:?}"
    );
    assert_eq!(avatar.textures.len(), 7);
    for t in &avatar.textures {
        assert_eq!(
            (t.width, t.height, t.rgba8.len()),
            (1024, 1024, 1024 * 1024 * 4),
            "{}",
            t.name
        );
    }
    assert!(avatar.skins.iter().all(|s| s.joints.len() == 67));
    let h = &avatar.humanoid;
    assert_eq!(h.head, avatar.find_node("Head"));
    assert_eq!(h.neck, avatar.find_node("Neck"));
    assert!(h.head.is_some() && h.left_eye.is_some() && h.left_upper_arm.is_some());

    let framing = avatar.framing();
    let c = framing.head_center;
    assert!((1.4..1.8).contains(&c.y), "head centre height {c}");
    assert!(
        (0.08..0.2).contains(&framing.head_radius),
        "head radius {}",
        framing.head_radius
    );
    assert!(
        framing.forward.dot(Vec3::Z) > 0.9,
        "forward {}",
        framing.forward
    );
    assert!(
        framing.shoulder_center.y < c.y && framing.shoulder_width > 0.2,
        "{framing:?}"
    );
    let (min, max) = avatar.bounds();
    assert!((1.5..1.9).contains(&(max.y - min.y)), "height {min} {max}");
}

#[test]
fn reference_avatar_loads_compressed_and_decoded_alike() {
    let (Some(compressed), Some(decoded)) = (
        reference("mpfb-talkinghead.glb"),
        reference("mpfb-talkinghead.decoded.glb"),
    ) else {
        return;
    };
    let (a, warnings) =
        Avatar::load_with_warnings(&compressed).expect("compressed reference loads");
    assert!(
        !warnings.contains(&AvatarWarning::NoBlinkShapes),
        "{warnings:?}"
    );
    let b = Avatar::load(&decoded).expect("decoded reference loads");
    check_reference(&a);
    check_reference(&b);
    for (ma, mb) in a.meshes.iter().zip(&b.meshes) {
        assert_eq!(ma.name, mb.name);
        assert_eq!(ma.morph_names, mb.morph_names);
        for (pa, pb) in ma.primitives.iter().zip(&mb.primitives) {
            assert_eq!(pa.indices, pb.indices, "{}", ma.name);
            // Both are 16-bit quantised; meshopt is lossless on the integers.
            for (x, y) in pa.positions.iter().zip(&pb.positions) {
                assert!(approx(*x, *y, 1e-4), "{} {x:?} {y:?}", ma.name);
            }
            for (ta, tb) in pa.targets.iter().zip(&pb.targets) {
                for (x, y) in ta.positions.iter().zip(&tb.positions) {
                    assert!(approx(*x, *y, 1e-3), "{} target {x:?} {y:?}", ma.name);
                }
            }
        }
    }
}

// ---------------------------------------------------------------- more tiny cases

#[test]
fn meshopt_compressed_views_with_a_fallback_buffer_decode() {
    let (plain_json, plain_bin) = tiny_gltf(|_| {});
    let plain = Avatar::from_glb_bytes(&build_glb(&plain_json.to_string(), &plain_bin), "plain")
        .expect("plain");

    let (mut json, mut bin) = tiny_gltf(|_| {});
    let view_bytes = |json: &Value, bin: &[u8], v: usize| {
        let start = json["bufferViews"][v]["byteOffset"]
            .as_u64()
            .expect("offset") as usize;
        let len = json["bufferViews"][v]["byteLength"]
            .as_u64()
            .expect("length") as usize;
        bin[start..start + len].to_vec()
    };
    // View 0: positions, 16-byte vertices. View 1: u16 triangle indices.
    let vertices: Vec<[u32; 4]> = view_bytes(&json, &bin, 0)
        .chunks_exact(16)
        .map(|v| {
            std::array::from_fn(|i| {
                u32::from_le_bytes([v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]])
            })
        })
        .collect();
    let indices: Vec<u32> = view_bytes(&json, &bin, 1)
        .chunks_exact(2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        .collect();
    let encoded_vertices = meshopt::encode_vertex_buffer(&vertices).expect("encode vertices");
    let encoded_indices =
        meshopt::encode_index_buffer(&indices, vertices.len()).expect("encode indices");
    let mut compress = |view: usize, encoded: &[u8], stride: usize, count: usize, mode: &str| {
        while bin.len() % 4 != 0 {
            bin.push(0);
        }
        let length = json["bufferViews"][view]["byteLength"].clone();
        json["bufferViews"][view] = json!({
            "buffer": 1, "byteOffset": 0, "byteLength": length,
            "extensions": {"EXT_meshopt_compression": {
                "buffer": 0, "byteOffset": bin.len(), "byteLength": encoded.len(),
                "byteStride": stride, "count": count, "mode": mode}}});
        if stride == 16 {
            json["bufferViews"][view]["byteStride"] = json!(16);
        }
        bin.extend_from_slice(encoded);
    };
    compress(0, &encoded_vertices, 16, vertices.len(), "ATTRIBUTES");
    compress(1, &encoded_indices, 2, indices.len(), "TRIANGLES");
    json["buffers"][0]["byteLength"] = json!(bin.len());
    json["buffers"]
        .as_array_mut()
        .expect("buffers")
        .push(json!({"byteLength": 4096,
        "extensions": {"EXT_meshopt_compression": {"fallback": true}}}));
    json["extensionsUsed"] = json!(["EXT_meshopt_compression"]);
    json["extensionsRequired"] = json!(["EXT_meshopt_compression"]);

    let avatar = Avatar::from_glb_bytes(&build_glb(&json.to_string(), &bin), "meshopt")
        .expect("meshopt GLB loads");
    let (a, b) = (
        &avatar.meshes[0].primitives[0],
        &plain.meshes[0].primitives[0],
    );
    assert_eq!(a.positions, b.positions);
    let triangles = |p: &[u32]| {
        let mut t: Vec<[u32; 3]> = p
            .chunks_exact(3)
            .map(|t| {
                let k = (0..3).min_by_key(|&k| t[k]).unwrap_or(0);
                [t[k], t[(k + 1) % 3], t[(k + 2) % 3]]
            })
            .collect();
        t.sort();
        t
    };
    assert_eq!(triangles(&a.indices), triangles(&b.indices));

    // Reading the fallback buffer itself (no meshopt on the view) is an error.
    json["bufferViews"][2]["buffer"] = json!(1);
    let err = Avatar::from_glb_bytes(&build_glb(&json.to_string(), &bin), "fallback");
    assert!(
        matches!(err, Err(AvatarError::BadBuffer { buffer: 1, .. })),
        "{err:?}"
    );
}

#[test]
fn vrm1_expressions_and_humanoid_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vrm = tiny_glb(|j| {
        j["meshes"][0]["extras"]["targetNames"] = json!(["Fcl_MTH_A"]);
        j["nodes"][1]["name"] = json!("Bone1");
        j["extensionsUsed"] = json!(["VRMC_vrm"]);
        j["extensions"] = json!({"VRMC_vrm": {
            "specVersion": "1.0",
            "humanoid": {"humanBones": {"head": {"node": 1}, "hips": {"node": 0}}},
            "expressions": {"preset": {
                "aa": {"morphTargetBinds": [{"node": 2, "index": 0, "weight": 1.0}]},
                "blink": {"morphTargetBinds": []}}}}});
    });
    let (avatar, warnings) =
        Avatar::load_with_warnings(&write_temp(&dir, "v1.vrm", &vrm)).expect("VRM 1.0 loads");
    assert_eq!(avatar.humanoid.head, Some(1), "from VRMC_vrm, not by name");
    assert_eq!(avatar.humanoid.hips, Some(0));
    let aa = avatar.expression("aa").expect("aa");
    assert_eq!(
        (aa.binds[0].mesh, aa.binds[0].target, aa.binds[0].weight),
        (0, 0, 1.0)
    );
    assert!(
        warnings.contains(&AvatarWarning::NoBlinkShapes),
        "an empty blink cannot blink"
    );
    // VRM 1.0 already faces +Z: nothing is turned.
    assert_eq!(avatar.bounds().1, Vec3::new(1.0, 1.0, 0.0));
}

#[test]
fn warnings_name_what_is_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let glb = tiny_glb(|j| {
        j["extensionsUsed"] = json!(["KHR_texture_transform"]);
        j["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]["texCoord"] = json!(1);
        j["nodes"][1]["name"] = json!("Bone1");
    });
    let (avatar, warnings) =
        Avatar::load_with_warnings(&write_temp(&dir, "w.glb", &glb)).expect("loads");
    assert!(warnings.contains(&AvatarWarning::ExtensionIgnored {
        name: "KHR_texture_transform".into()
    }));
    assert!(warnings.contains(&AvatarWarning::TexCoordSetIgnored {
        material: 0,
        tex_coord: 1
    }));
    assert!(
        warnings.contains(&AvatarWarning::NoHeadBone),
        "{warnings:?}"
    );
    // Without a head bone the top 13% of the bounds is the head.
    let framing = avatar.framing();
    assert!(
        approx(framing.head_center, Vec3::new(0.5, 0.935, 0.0), 1e-5),
        "{framing:?}"
    );
    assert!((framing.head_radius - 0.065).abs() < 1e-5);
    assert_eq!(framing.forward, Vec3::Z);
}

#[test]
fn node_matrices_are_decomposed_and_cycles_rejected() {
    let turn = Mat4::from_rotation_y(0.5);
    let matrix = Mat4::from_translation(Vec3::new(0.0, 1.0, 0.0)) * turn;
    let avatar = Avatar::from_glb_bytes(
        &tiny_glb(|j| {
            j["nodes"][1] = json!({"name": "Head", "matrix": matrix.to_cols_array()});
        }),
        "matrix",
    )
    .expect("loads");
    let head = &avatar.nodes[1];
    assert!(approx(head.translation, Vec3::new(0.0, 1.0, 0.0), 1e-6));
    assert!(head.rotation.angle_between(Quat::from_rotation_y(0.5)) < 1e-5);
    assert_eq!(head.parent, Some(0));

    let cycle = Avatar::from_glb_bytes(
        &tiny_glb(|j| j["nodes"][1]["children"] = json!([0])),
        "cycle",
    );
    assert!(
        matches!(cycle, Err(AvatarError::BadJson { .. })),
        "{cycle:?}"
    );
}
