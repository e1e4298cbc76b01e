//! Meshes and primitives: attributes, triangle-list indices, dense morph
//! target deltas and generated normals.

use gltf::json::mesh::{Mode, Semantic};
use gltf::json::validation::Checked;

use super::accessor::{read_f32, read_u32};
use super::buffers::GltfData;
use super::error::{AvatarError, AvatarWarning};
use super::model::{Mesh, MorphTarget, Primitive};

/// `extras.targetNames` of a mesh or primitive, if present and well-formed.
pub(crate) fn target_names(extras: &gltf::json::Extras) -> Option<Vec<String>> {
    let raw = extras.as_ref()?;
    let value: serde_json::Value = serde_json::from_str(raw.get()).ok()?;
    let names = value.get("targetNames")?.as_array()?;
    Some(
        names
            .iter()
            .map(|n| n.as_str().unwrap_or_default().to_string())
            .collect(),
    )
}

pub(crate) fn load_meshes(
    data: &GltfData,
    warnings: &mut Vec<AvatarWarning>,
) -> Result<Vec<Mesh>, AvatarError> {
    let mut meshes = Vec::with_capacity(data.root.meshes.len());
    for (mesh_index, mesh) in data.root.meshes.iter().enumerate() {
        let target_count = mesh
            .primitives
            .iter()
            .map(|p| p.targets.as_ref().map_or(0, Vec::len))
            .max()
            .unwrap_or(0);
        let mut primitives = Vec::with_capacity(mesh.primitives.len());
        for (primitive_index, primitive) in mesh.primitives.iter().enumerate() {
            let loaded =
                load_primitive(data, mesh_index, primitive_index, primitive, target_count)?;
            match loaded {
                Some(p) => primitives.push(p),
                None => warnings.push(AvatarWarning::PrimitiveModeIgnored {
                    mesh: mesh_index,
                    primitive: primitive_index,
                }),
            }
        }
        // Names live on the mesh by convention; some exporters put them on
        // the first primitive instead.
        let mut morph_names = target_names(&mesh.extras)
            .or_else(|| mesh.primitives.iter().find_map(|p| target_names(&p.extras)))
            .unwrap_or_default();
        morph_names.resize(target_count, String::new());
        let mut default_weights = mesh.weights.clone().unwrap_or_default();
        default_weights.resize(target_count, 0.0);
        meshes.push(Mesh {
            name: mesh
                .name
                .clone()
                .unwrap_or_else(|| format!("mesh{mesh_index}")),
            primitives,
            morph_names,
            default_weights,
        });
    }
    Ok(meshes)
}

fn load_primitive(
    data: &GltfData,
    mesh: usize,
    primitive_index: usize,
    primitive: &gltf::json::mesh::Primitive,
    target_count: usize,
) -> Result<Option<Primitive>, AvatarError> {
    let bad = |reason: String| AvatarError::BadPrimitive {
        mesh,
        primitive: primitive_index,
        reason,
    };
    let mode = match primitive.mode {
        Checked::Valid(mode) => mode,
        Checked::Invalid => return Err(bad("its mode is not a glTF primitive mode".into())),
    };
    if !matches!(
        mode,
        Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan
    ) {
        return Ok(None);
    }
    let referrer = format!("mesh {mesh} primitive {primitive_index}");
    let attribute = |semantic: Semantic| {
        primitive
            .attributes
            .get(&Checked::Valid(semantic))
            .map(|a| a.value())
    };
    let position_accessor =
        attribute(Semantic::Positions).ok_or_else(|| bad("it has no POSITION attribute".into()))?;
    let positions = read_f32(data, position_accessor, &referrer)?.to_arrays::<3>();
    let vertex_count = positions.len();
    let check_len = |name: &str, len: usize| {
        if len == vertex_count {
            Ok(())
        } else {
            Err(bad(format!(
                "{name} has {len} entries but POSITION has {vertex_count}"
            )))
        }
    };

    let raw_indices = match primitive.indices {
        Some(accessor) => read_u32(data, accessor.value(), &referrer)?.values,
        None => (0..vertex_count as u32).collect(),
    };
    if let Some(&out_of_range) = raw_indices.iter().find(|&&i| i as usize >= vertex_count) {
        return Err(bad(format!(
            "index {out_of_range} is not below the vertex count {vertex_count}"
        )));
    }
    let indices = triangulate(mode, &raw_indices);

    let normals = match attribute(Semantic::Normals) {
        Some(a) => {
            let n = read_f32(data, a, &referrer)?.to_arrays::<3>();
            check_len("NORMAL", n.len())?;
            n
        }
        None => smooth_normals(&positions, &indices),
    };
    let uvs = match attribute(Semantic::TexCoords(0)) {
        Some(a) => {
            let uv = read_f32(data, a, &referrer)?.to_arrays::<2>();
            check_len("TEXCOORD_0", uv.len())?;
            uv
        }
        None => vec![[0.0; 2]; vertex_count],
    };
    let tangents = match attribute(Semantic::Tangents) {
        Some(a) => {
            let t = read_f32(data, a, &referrer)?.to_arrays::<4>();
            check_len("TANGENT", t.len())?;
            Some(t)
        }
        None => None,
    };
    let (joints, weights) = match (
        attribute(Semantic::Joints(0)),
        attribute(Semantic::Weights(0)),
    ) {
        (Some(j), Some(w)) => {
            let joints = read_u32(data, j, &referrer)?;
            if let Some(&big) = joints.values.iter().find(|&&j| j > u32::from(u16::MAX)) {
                return Err(bad(format!("JOINTS_0 holds joint {big}, more than 65535")));
            }
            let joints: Vec<[u16; 4]> = joints
                .to_arrays::<4>()
                .iter()
                .map(|j| j.map(|v| v as u16))
                .collect();
            let weights = read_f32(data, w, &referrer)?.to_arrays::<4>();
            check_len("JOINTS_0", joints.len())?;
            check_len("WEIGHTS_0", weights.len())?;
            (
                Some(joints),
                Some(weights.into_iter().map(normalize_weights).collect()),
            )
        }
        _ => (None, None),
    };

    let mut targets = Vec::with_capacity(target_count);
    let file_targets = primitive.targets.as_deref().unwrap_or_default();
    for t in 0..target_count {
        let Some(target) = file_targets.get(t) else {
            targets.push(MorphTarget {
                positions: vec![[0.0; 3]; vertex_count],
                normals: None,
            });
            continue;
        };
        let referrer = format!("{referrer} target {t}");
        let positions = match target.positions {
            Some(a) => read_f32(data, a.value(), &referrer)?.to_arrays::<3>(),
            None => vec![[0.0; 3]; vertex_count],
        };
        check_len("a morph target's POSITION", positions.len())?;
        let normals = match target.normals {
            Some(a) => {
                let n = read_f32(data, a.value(), &referrer)?.to_arrays::<3>();
                check_len("a morph target's NORMAL", n.len())?;
                Some(n)
            }
            None => None,
        };
        targets.push(MorphTarget { positions, normals });
    }

    Ok(Some(Primitive {
        positions,
        normals,
        uvs,
        tangents,
        joints,
        weights,
        indices,
        material: primitive.material.map(|m| m.value()),
        targets,
    }))
}

/// Weights that sum to 1 (exporters round; some leave all zero, which we keep).
fn normalize_weights(w: [f32; 4]) -> [f32; 4] {
    let sum: f32 = w.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        w.map(|v| v / sum)
    } else {
        w
    }
}

/// Triangle-list indices for triangles, strips and fans (glTF §3.7.2.1).
pub(crate) fn triangulate(mode: Mode, indices: &[u32]) -> Vec<u32> {
    match mode {
        Mode::TriangleStrip => (0..indices.len().saturating_sub(2))
            .flat_map(|i| {
                // Every other triangle flips to keep one winding.
                if i % 2 == 0 {
                    [indices[i], indices[i + 1], indices[i + 2]]
                } else {
                    [indices[i + 1], indices[i], indices[i + 2]]
                }
            })
            .collect(),
        Mode::TriangleFan => (1..indices.len().saturating_sub(1))
            .flat_map(|i| [indices[0], indices[i], indices[i + 1]])
            .collect(),
        _ => indices[..indices.len() - indices.len() % 3].to_vec(),
    }
}

/// Area-weighted smooth vertex normals (unweighted sums of face cross products).
pub(crate) fn smooth_normals(positions: &[[f32; 3]], indices: &[u32]) -> Vec<[f32; 3]> {
    use glam::Vec3;
    let mut sums = vec![Vec3::ZERO; positions.len()];
    for tri in indices.chunks_exact(3) {
        let [a, b, c] = [tri[0], tri[1], tri[2]].map(|i| i as usize);
        let (pa, pb, pc) = (
            Vec3::from(positions[a]),
            Vec3::from(positions[b]),
            Vec3::from(positions[c]),
        );
        // The cross product's length is twice the area: big faces count more.
        let n = (pb - pa).cross(pc - pa);
        sums[a] += n;
        sums[b] += n;
        sums[c] += n;
    }
    sums.into_iter()
        .map(|n| n.try_normalize().unwrap_or(Vec3::Y).to_array())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_and_fans_become_lists_with_one_winding() {
        assert_eq!(
            triangulate(Mode::TriangleStrip, &[0, 1, 2, 3]),
            vec![0, 1, 2, 2, 1, 3]
        );
        assert_eq!(
            triangulate(Mode::TriangleFan, &[0, 1, 2, 3]),
            vec![0, 1, 2, 0, 2, 3]
        );
        assert_eq!(triangulate(Mode::Triangles, &[0, 1, 2, 3]), vec![0, 1, 2]);
        assert!(triangulate(Mode::TriangleStrip, &[0, 1]).is_empty());
    }

    #[test]
    fn smooth_normals_of_a_flat_quad_point_up() {
        let positions = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 0.0, -1.0],
            [0.0, 0.0, -1.0],
        ];
        let normals = smooth_normals(&positions, &[0, 1, 2, 0, 2, 3]);
        for n in normals {
            assert!((n[1] - 1.0).abs() < 1e-6, "{n:?}");
        }
    }

    #[test]
    fn weights_are_normalized() {
        assert_eq!(
            normalize_weights([2.0, 2.0, 0.0, 0.0]),
            [0.5, 0.5, 0.0, 0.0]
        );
        assert_eq!(normalize_weights([0.0; 4]), [0.0; 4]);
    }
}
