//! A human-readable summary of an avatar, for `avatarcast avatar info`.

use std::fmt::Write;

use super::model::{AlphaMode, Avatar};

/// Meshes, morph targets, materials, textures, skins, humanoid bones and framing.
pub fn describe(avatar: &Avatar) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(s, "avatar: {}", avatar.name);
    let (lo, hi) = avatar.bounds();
    let _ = writeln!(
        s,
        "bounds: {:.3?} .. {:.3?} (height {:.2} m)",
        lo.to_array(),
        hi.to_array(),
        hi.y - lo.y
    );
    for (i, mesh) in avatar.meshes.iter().enumerate() {
        let verts: usize = mesh.primitives.iter().map(|p| p.positions.len()).sum();
        let tris: usize = mesh.primitives.iter().map(|p| p.indices.len() / 3).sum();
        let _ = writeln!(
            s,
            "mesh {i} `{}`: {} primitive(s), {verts} vertices, {tris} triangles, {} morph targets",
            mesh.name,
            mesh.primitives.len(),
            mesh.morph_names.len()
        );
        if !mesh.morph_names.is_empty() {
            let _ = writeln!(s, "  morphs: {}", mesh.morph_names.join(" "));
        }
    }
    for (i, m) in avatar.materials.iter().enumerate() {
        let alpha = match m.alpha_mode {
            AlphaMode::Opaque => "opaque".to_string(),
            AlphaMode::Mask(c) => format!("mask {c:.2}"),
            AlphaMode::Blend => "blend".to_string(),
        };
        let _ = writeln!(
            s,
            "material {i} `{}`: base {:.2?}, metallic {:.2}, roughness {:.2}, {alpha}{}{}",
            m.name,
            m.base_color_factor,
            m.metallic_factor,
            m.roughness_factor,
            if m.base_color_texture.is_some() {
                ", base texture"
            } else {
                ""
            },
            if m.normal_texture.is_some() {
                ", normal map"
            } else {
                ""
            },
        );
    }
    for (i, t) in avatar.textures.iter().enumerate() {
        let _ = writeln!(s, "texture {i} `{}`: {}x{}", t.name, t.width, t.height);
    }
    for (i, skin) in avatar.skins.iter().enumerate() {
        let _ = writeln!(s, "skin {i} `{}`: {} joints", skin.name, skin.joints.len());
    }
    if !avatar.expressions.is_empty() {
        let names: Vec<&str> = avatar.expressions.iter().map(|e| e.name.as_str()).collect();
        let _ = writeln!(s, "expressions: {}", names.join(" "));
    }
    let node = |n: Option<usize>| n.map_or("-".to_string(), |i| avatar.nodes[i].name.clone());
    let h = &avatar.humanoid;
    let _ = writeln!(
        s,
        "humanoid: head {}, neck {}, chest {}, eyes {} / {}",
        node(h.head),
        node(h.neck),
        node(h.chest.or(h.upper_chest).or(h.spine)),
        node(h.left_eye),
        node(h.right_eye)
    );
    let f = avatar.framing();
    let _ = writeln!(
        s,
        "framing: head centre {:.3?}, head radius {:.3} m, shoulders {:.3} m wide, facing {:.2?}",
        f.head_center.to_array(),
        f.head_radius,
        f.shoulder_width,
        f.forward.to_array()
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avatar::{Mesh, Primitive};

    #[test]
    fn describes_meshes_and_morphs() {
        let avatar = Avatar {
            name: "cube".into(),
            meshes: vec![Mesh {
                name: "face".into(),
                primitives: vec![Primitive {
                    positions: vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
                    normals: vec![[0.0, 0.0, 1.0]; 3],
                    uvs: vec![[0.0, 0.0]; 3],
                    indices: vec![0, 1, 2],
                    ..Primitive::default()
                }],
                morph_names: vec!["jawOpen".into()],
                default_weights: vec![0.0],
            }],
            ..Avatar::default()
        };
        let text = describe(&avatar);
        assert!(
            text.contains(
                "mesh 0 `face`: 1 primitive(s), 3 vertices, 1 triangles, 1 morph targets"
            ),
            "{text}"
        );
        assert!(text.contains("morphs: jawOpen"), "{text}");
    }
}
