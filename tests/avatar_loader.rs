//! Loading glTF/GLB/VRM avatars: a tiny GLB built here in memory exercises
//! every accessor feature; the reference avatar (../shared/avatars/reference,
//! outside git) checks a real, meshopt-compressed, quantised model.

use avatarcast::avatar::{AlphaMode, Avatar, AvatarError, AvatarWarning, WrapMode, build_glb};
use glam::{Mat4, Quat, Vec3};
use serde_json::{Value, json};

#[path = "avatar_loader/fuzz.rs"]
mod fuzz;
#[path = "avatar_loader/reference.rs"]
mod reference;
#[path = "avatar_loader/tiny.rs"]
mod tiny;

use tiny::{approx, base64, tiny_glb, tiny_gltf, write_temp};

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
fn sparse_substitution_also_applies_over_a_buffer_view() {
    // Reuse the tiny file's views: indices [2] (u8) and four zero u16 pairs.
    let glb = tiny_glb(|j| {
        j["accessors"][2]["sparse"] = json!({"count": 1,
            "indices": {"bufferView": 3, "componentType": 5121},
            "values": {"bufferView": 5}});
    });
    let avatar = Avatar::from_glb_bytes(&glb, "sparse").expect("loads");
    let uvs = &avatar.meshes[0].primitives[0].uvs;
    assert_eq!(uvs[1], [1.0, 1.0], "untouched");
    assert_eq!(
        uvs[2],
        [0.0, 0.0],
        "was [1, 0]; replaced by the sparse value"
    );
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

    // A JPEG in a data URI decodes too (lossy, so only roughly red).
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(8, 8, image::Rgb([250, 10, 10]))
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .expect("JPEG encodes");
    let mut with_jpeg = json.clone();
    with_jpeg["images"][0] =
        json!({"uri": format!("data:image/jpeg;base64,{}", base64(jpeg.get_ref()))});
    let avatar =
        Avatar::from_gltf_json(with_jpeg.to_string().as_bytes(), None, "jpeg").expect("JPEG loads");
    let red = &avatar.textures[0].rgba8[..4];
    assert!(
        (avatar.textures[0].width, red[0] > 200, red[1] < 50, red[3]) == (8, true, true, 255),
        "{red:?}"
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

    // A BOM and NUL padding are tolerated; broken JSON is not.
    let (padded, _) = tiny_gltf(|j| j["buffers"] = json!([]));
    let mut padded = format!("\u{feff}{padded}").into_bytes();
    padded.extend_from_slice(&[0, 0, 0]);
    let no_buffers = Avatar::from_gltf_json(&padded, None, "padded");
    assert!(
        matches!(
            no_buffers,
            Err(AvatarError::IndexOutOfRange { kind: "buffer", .. })
        ),
        "{no_buffers:?}"
    );
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
    // No morph targets at all.
    let still = tiny_glb(|j| {
        let mesh = &mut j["meshes"][0];
        mesh["primitives"][0]
            .as_object_mut()
            .expect("primitive")
            .remove("targets");
        mesh.as_object_mut().expect("mesh").remove("extras");
        mesh.as_object_mut().expect("mesh").remove("weights");
    });
    let err = Avatar::load(&write_temp(&dir, "still.glb", &still)).expect_err("no morphs");
    assert!(matches!(err, AvatarError::NoMouthMorphs { .. }), "{err:?}");
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
