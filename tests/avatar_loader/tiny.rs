//! A tiny glTF built in memory: every accessor feature on one skinned quad.

use std::path::PathBuf;

use avatarcast::avatar::build_glb;
use glam::{Mat4, Vec3};
use serde_json::{Value, json};

/// A little-endian byte buffer whose views stay 4-byte aligned.
#[derive(Default)]
pub struct Bin {
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

pub fn png_2x2() -> Vec<u8> {
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
pub fn tiny_gltf(edit: impl FnOnce(&mut Value)) -> (Value, Vec<u8>) {
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

pub fn tiny_glb(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (json, bin) = tiny_gltf(edit);
    build_glb(&json.to_string(), &bin)
}

pub fn base64(bytes: &[u8]) -> String {
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

pub fn approx(a: impl Into<Vec3>, b: impl Into<Vec3>, tolerance: f32) -> bool {
    a.into().distance(b.into()) <= tolerance
}

pub fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}
