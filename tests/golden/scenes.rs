//! Procedural avatars built in code, so render tests run without any file.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use avatarcast::avatar::{
    AlphaMode, Avatar, Framing, Material, Mesh, MorphTarget, Node, Primitive, Skin, Texture,
    TextureRef,
};
use avatarcast::render::{Background, RenderError, RenderSettings, Renderer};
use glam::{Mat4, Quat, Vec3};

/// Builds a renderer, or explains why this machine cannot and returns None.
/// Under CI (`CI=true`) a missing adapter fails the test instead.
pub fn renderer_or_skip(settings: RenderSettings) -> Option<Renderer> {
    match Renderer::new(settings) {
        Ok(renderer) => Some(renderer),
        // Only a missing adapter skips; any other error is a renderer bug.
        Err(e @ RenderError::NoAdapter { .. }) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipping: no GPU adapter on this machine: {e}");
            None
        }
        Err(e) => panic!("Renderer::new failed: {e}"),
    }
}

pub fn settings(width: u32, height: u32, msaa_samples: u32, background: [u8; 3]) -> RenderSettings {
    RenderSettings {
        width,
        height,
        msaa_samples,
        background: Background::Color(background),
    }
}

pub fn node(name: &str, parent: Option<usize>, children: Vec<usize>, translation: Vec3) -> Node {
    Node {
        name: name.into(),
        parent,
        children,
        translation,
        rotation: Quat::IDENTITY,
        scale: Vec3::ONE,
        mesh: None,
        skin: None,
    }
}

/// A UV sphere, outward normals, counter-clockwise from outside, u around
/// from +Z towards +X, v from the top down. `squash` scales the axes.
pub fn ellipsoid(
    center: Vec3,
    radii: Vec3,
    segments: u32,
    rings: u32,
    material: usize,
) -> Primitive {
    let mut p = Primitive {
        material: Some(material),
        ..Primitive::default()
    };
    for i in 0..=rings {
        let theta = std::f32::consts::PI * i as f32 / rings as f32;
        for j in 0..=segments {
            let phi = std::f32::consts::TAU * j as f32 / segments as f32;
            let unit = Vec3::new(
                theta.sin() * phi.sin(),
                theta.cos(),
                theta.sin() * phi.cos(),
            );
            p.positions.push((center + unit * radii).into());
            p.normals.push((unit / radii).normalize().into());
            p.uvs
                .push([j as f32 / segments as f32, i as f32 / rings as f32]);
        }
    }
    let row = segments + 1;
    for i in 0..rings {
        for j in 0..segments {
            let (a, b, c, d) = (
                i * row + j,
                (i + 1) * row + j,
                (i + 1) * row + j + 1,
                i * row + j + 1,
            );
            p.indices.extend([a, b, c, a, c, d]);
        }
    }
    p
}

/// A quad facing +Z from `min` to `max` in the XY plane at `z`, texture upright.
pub fn quad(min: [f32; 2], max: [f32; 2], z: f32, material: usize) -> Primitive {
    Primitive {
        positions: vec![
            [min[0], min[1], z],
            [max[0], min[1], z],
            [max[0], max[1], z],
            [min[0], max[1], z],
        ],
        normals: vec![[0.0, 0.0, 1.0]; 4],
        uvs: vec![[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]],
        indices: vec![0, 1, 2, 0, 2, 3],
        material: Some(material),
        ..Primitive::default()
    }
}

pub fn material(name: &str, linear_rgb: [f32; 3], roughness: f32) -> Material {
    Material {
        name: name.into(),
        base_color_factor: [linear_rgb[0], linear_rgb[1], linear_rgb[2], 1.0],
        metallic_factor: 0.0,
        roughness_factor: roughness,
        ..Material::default()
    }
}

/// An avatar of one unskinned mesh on one node at the origin.
pub fn single_mesh(
    primitives: Vec<Primitive>,
    materials: Vec<Material>,
    textures: Vec<Texture>,
) -> Avatar {
    let morph_count = primitives.first().map_or(0, |p| p.targets.len());
    let mut root = node("root", None, vec![], Vec3::ZERO);
    root.mesh = Some(0);
    Avatar {
        name: "single".into(),
        nodes: vec![root],
        roots: vec![0],
        meshes: vec![Mesh {
            name: "mesh".into(),
            primitives,
            morph_names: (0..morph_count).map(|i| format!("target{i}")).collect(),
            default_weights: vec![0.0; morph_count],
        }],
        materials,
        textures,
        ..Avatar::default()
    }
}

/// Moves every vertex of `p` by `delta` (a whole-mesh morph target).
pub fn shift_target(p: &Primitive, delta: Vec3) -> MorphTarget {
    MorphTarget {
        positions: vec![delta.into(); p.positions.len()],
        normals: None,
    }
}

/// A texture of one texel, `rgba` (linear or sRGB as its use decides).
pub fn one_texel(name: &str, rgba: [u8; 4]) -> Texture {
    Texture {
        name: name.into(),
        width: 1,
        height: 1,
        rgba8: rgba.to_vec(),
        ..Texture::default()
    }
}

/// A 2×1-texel texture: left texel transparent, right texel opaque white.
pub fn half_transparent_texture() -> Texture {
    Texture {
        name: "half transparent".into(),
        width: 2,
        height: 1,
        rgba8: vec![255, 255, 255, 0, 255, 255, 255, 255],
        nearest: true,
        wrap_u: avatarcast::avatar::WrapMode::ClampToEdge,
        wrap_v: avatarcast::avatar::WrapMode::ClampToEdge,
    }
}

pub const HEAD_CENTER: Vec3 = Vec3::new(0.0, 1.55, 0.0);
pub const HEAD_RADIUS: f32 = 0.11;

pub fn bust_framing() -> Framing {
    Framing {
        head_center: HEAD_CENTER,
        head_radius: HEAD_RADIUS,
        shoulder_center: Vec3::new(0.0, 1.36, -0.01),
        shoulder_width: 0.38,
        forward: Vec3::Z,
        up: Vec3::Y,
    }
}

/// A skin-toned base colour: a little blush on the lower half, texture
/// rows top first like every glTF image.
fn skin_texture() -> Texture {
    let (w, h) = (32u32, 32u32);
    let mut rgba = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let u = x as f32 / w as f32;
            let v = y as f32 / h as f32;
            // Cheeks sit around u = ±0.15 of the front (u = 0 and 1) at v ≈ 0.55.
            let cheek = (-((v - 0.58) / 0.08).powi(2)).exp()
                * ((-((u - 0.12) / 0.05).powi(2)).exp() + (-((u - 0.88) / 0.05).powi(2)).exp());
            let r = 224.0 - 8.0 * cheek;
            let g = 172.0 - 30.0 * cheek;
            let b = 150.0 - 22.0 * cheek;
            rgba.extend([r as u8, g as u8, b as u8, 255]);
        }
    }
    Texture {
        name: "skin".into(),
        width: w,
        height: h,
        rgba8: rgba,
        ..Texture::default()
    }
}

/// A ribbed knit normal map: vertical ridges (normal tilting ±X).
fn knit_normal_texture() -> Texture {
    let (w, h) = (16u32, 4u32);
    let mut rgba = Vec::new();
    for _ in 0..h {
        for x in 0..w {
            let tilt = (x as f32 / w as f32 * std::f32::consts::TAU * 2.0).sin() * 0.5;
            let n = Vec3::new(tilt, 0.0, 1.0).normalize();
            let enc = |c: f32| ((c * 0.5 + 0.5) * 255.0).round() as u8;
            rgba.extend([enc(n.x), enc(n.y), enc(n.z), 255]);
        }
    }
    Texture {
        name: "knit normal".into(),
        width: w,
        height: h,
        rgba8: rgba,
        ..Texture::default()
    }
}

/// A head-and-shoulders bust: skinned to a two-joint skeleton (chest, head),
/// with a `jawOpen` morph target on the head, eyes, an alpha-masked fringe
/// and a translucent visor.
pub fn bust() -> Avatar {
    // Materials: 0 skin, 1 eyes, 2 shirt, 3 hair (mask), 4 visor (blend), 5 lips.
    let mut skin = material("Skin", [0.8, 0.5, 0.4], 0.5);
    skin.base_color_factor = [1.0; 4];
    skin.base_color_texture = Some(TextureRef {
        texture: 0,
        tex_coord: 0,
    });
    let eyes = material("Eyes", [0.02, 0.02, 0.03], 0.15);
    let mut shirt = material("Shirt", [0.05, 0.12, 0.3], 0.8);
    shirt.normal_texture = Some(TextureRef {
        texture: 1,
        tex_coord: 0,
    });
    shirt.normal_scale = 1.0;
    let mut hair = material("Hair", [0.09, 0.05, 0.03], 0.6);
    hair.alpha_mode = AlphaMode::Mask(0.5);
    hair.double_sided = true;
    hair.base_color_texture = Some(TextureRef {
        texture: 2,
        tex_coord: 0,
    });
    let mut visor = material("Visor", [0.2, 0.6, 0.9], 0.1);
    visor.base_color_factor[3] = 0.35;
    visor.alpha_mode = AlphaMode::Blend;
    visor.double_sided = true;
    let lips = material("Lips", [0.45, 0.12, 0.12], 0.4);

    let head_center = HEAD_CENTER;
    let mut head = ellipsoid(head_center, Vec3::new(0.085, HEAD_RADIUS, 0.1), 24, 16, 0);
    // jawOpen: the lower third of the head drops and the chin comes forward.
    let jaw: Vec<[f32; 3]> = head
        .positions
        .iter()
        .map(|p| {
            let below = (head_center.y - 0.02 - p[1]).max(0.0) / HEAD_RADIUS;
            [0.0, -0.35 * below * HEAD_RADIUS, 0.1 * below * HEAD_RADIUS]
        })
        .collect();
    head.targets.push(MorphTarget {
        positions: jaw,
        normals: None,
    });
    let eye_y = head_center.y + 0.01;
    let mut left_eye = ellipsoid(Vec3::new(0.032, eye_y, 0.082), Vec3::splat(0.014), 12, 8, 1);
    let mut right_eye = ellipsoid(
        Vec3::new(-0.032, eye_y, 0.082),
        Vec3::splat(0.014),
        12,
        8,
        1,
    );
    let mut mouth = ellipsoid(
        Vec3::new(0.0, head_center.y - 0.05, 0.088),
        Vec3::new(0.025, 0.008, 0.01),
        12,
        6,
        5,
    );
    let mut neck = ellipsoid(
        Vec3::new(0.0, 1.42, -0.01),
        Vec3::new(0.05, 0.08, 0.05),
        12,
        8,
        0,
    );
    let mut torso = ellipsoid(
        Vec3::new(0.0, 1.25, -0.01),
        Vec3::new(0.2, 0.14, 0.11),
        24,
        12,
        2,
    );
    let mut fringe = quad([-0.09, 1.6], [0.09, 1.68], 0.105, 3);
    let mut visor_quad = quad([-0.1, 1.545], [0.1, 1.585], 0.13, 4);
    // Joint 0 = chest, joint 1 = head; vertices above the neck follow the head.
    for p in [
        &mut head,
        &mut left_eye,
        &mut right_eye,
        &mut mouth,
        &mut neck,
        &mut torso,
        &mut fringe,
        &mut visor_quad,
    ] {
        let n = p.positions.len();
        p.joints = Some(vec![[0, 1, 0, 0]; n]);
        p.weights = Some(
            p.positions
                .iter()
                .map(|q| {
                    let t = ((q[1] - 1.38) / 0.08).clamp(0.0, 1.0);
                    [1.0 - t, t, 0.0, 0.0]
                })
                .collect(),
        );
    }
    // Head (with its morph target) is mesh 0; everything else is mesh 1.
    let chest_position = Vec3::new(0.0, 1.3, 0.0);
    let head_position = Vec3::new(0.0, 1.45, 0.0);
    let chest = node("Spine2", None, vec![1], chest_position);
    let head_joint = node("Head", Some(0), vec![], head_position - chest_position);
    let mut head_node = node("HeadMesh", None, vec![], Vec3::ZERO);
    head_node.mesh = Some(0);
    head_node.skin = Some(0);
    let mut body_node = node("BodyMesh", None, vec![], Vec3::ZERO);
    body_node.mesh = Some(1);
    body_node.skin = Some(0);
    Avatar {
        name: "bust".into(),
        nodes: vec![chest, head_joint, head_node, body_node],
        roots: vec![0, 2, 3],
        meshes: vec![
            Mesh {
                name: "head".into(),
                primitives: vec![head],
                morph_names: vec!["jawOpen".into()],
                default_weights: vec![0.0],
            },
            Mesh {
                name: "body".into(),
                primitives: vec![left_eye, right_eye, mouth, neck, torso, fringe, visor_quad],
                morph_names: vec![],
                default_weights: vec![],
            },
        ],
        skins: vec![Skin {
            name: "Armature".into(),
            joints: vec![0, 1],
            inverse_bind_matrices: vec![
                Mat4::from_translation(-chest_position),
                Mat4::from_translation(-head_position),
            ],
        }],
        materials: vec![skin, eyes, shirt, hair, visor, lips],
        textures: vec![skin_texture(), knit_normal_texture(), fringe_texture()],
        ..Avatar::default()
    }
}

/// Hair strands: opaque vertical stripes with transparent gaps, and a
/// ragged lower edge.
fn fringe_texture() -> Texture {
    let (w, h) = (32u32, 8u32);
    let mut rgba = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let strand = x % 4 != 3;
            let ragged = y < h - 1 - (x * 7 % 3);
            let alpha = if strand && ragged { 255 } else { 0 };
            rgba.extend([255, 255, 255, alpha]);
        }
    }
    Texture {
        name: "fringe".into(),
        width: w,
        height: h,
        rgba8: rgba,
        nearest: true,
        ..Texture::default()
    }
}
