//! The node hierarchy and skins: rest transforms, world and joint matrices,
//! and the bind-pose bounds of the skinned meshes.

use glam::{Mat4, Quat, Vec3};

use super::accessor::read_f32;
use super::buffers::GltfData;
use super::error::AvatarError;
use super::model::{Avatar, Node, Primitive, Skin};

fn out_of_range(kind: &'static str, index: usize, count: usize, referrer: String) -> AvatarError {
    AvatarError::IndexOutOfRange {
        kind,
        index,
        count,
        referrer,
    }
}

/// A finite unit quaternion, identity when the file's is degenerate.
fn sane_rotation(q: Quat) -> Quat {
    let q = q.normalize();
    if q.is_finite() { q } else { Quat::IDENTITY }
}

/// Nodes with parent links, and the roots in scene order.
pub(crate) fn load_nodes(data: &GltfData) -> Result<(Vec<Node>, Vec<usize>), AvatarError> {
    let json_nodes = &data.root.nodes;
    let count = json_nodes.len();
    let mut nodes = Vec::with_capacity(count);
    for (index, n) in json_nodes.iter().enumerate() {
        let (translation, rotation, scale) = match n.matrix {
            // A matrix with shear or projection is approximated by its TRS part.
            Some(m) => {
                let (s, r, t) = Mat4::from_cols_array(&m).to_scale_rotation_translation();
                (t, r, s)
            }
            None => (
                n.translation.map_or(Vec3::ZERO, Vec3::from),
                n.rotation.map_or(Quat::IDENTITY, |q| Quat::from_array(q.0)),
                n.scale.map_or(Vec3::ONE, Vec3::from),
            ),
        };
        let mesh = n.mesh.map(|m| m.value());
        if let Some(m) = mesh.filter(|&m| m >= data.root.meshes.len()) {
            return Err(out_of_range(
                "mesh",
                m,
                data.root.meshes.len(),
                format!("node {index}"),
            ));
        }
        let skin = n.skin.map(|s| s.value());
        if let Some(s) = skin.filter(|&s| s >= data.root.skins.len()) {
            return Err(out_of_range(
                "skin",
                s,
                data.root.skins.len(),
                format!("node {index}"),
            ));
        }
        let children: Vec<usize> = n
            .children
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|c| c.value())
            .collect();
        if let Some(&c) = children.iter().find(|&&c| c >= count) {
            return Err(out_of_range(
                "node",
                c,
                count,
                format!("node {index}'s children"),
            ));
        }
        nodes.push(Node {
            name: n.name.clone().unwrap_or_else(|| format!("node{index}")),
            parent: None,
            children,
            translation: if translation.is_finite() {
                translation
            } else {
                Vec3::ZERO
            },
            rotation: sane_rotation(rotation),
            scale: if scale.is_finite() { scale } else { Vec3::ONE },
            mesh,
            skin,
        });
    }
    for parent in 0..count {
        for child in nodes[parent].children.clone() {
            if nodes[child].parent.is_some() || child == parent {
                return Err(AvatarError::BadJson {
                    message: format!("node {child} has more than one parent or is its own child"),
                });
            }
            nodes[child].parent = Some(parent);
        }
    }
    // With one parent each, a node that never reaches a root is on a cycle.
    for start in 0..count {
        let mut at = start;
        for _ in 0..=count {
            match nodes[at].parent {
                Some(p) => at = p,
                None => break,
            }
        }
        if nodes[at].parent.is_some() {
            return Err(AvatarError::BadJson {
                message: format!("node {start} is part of a parent cycle"),
            });
        }
    }
    let scene_index = data.root.scene.map_or(0, |s| s.value());
    let mut roots: Vec<usize> = data
        .root
        .scenes
        .get(scene_index)
        .map(|s| s.nodes.iter().map(|n| n.value()).collect())
        .unwrap_or_default();
    roots.retain(|&r| r < count && nodes[r].parent.is_none());
    for (i, node) in nodes.iter().enumerate() {
        if node.parent.is_none() && !roots.contains(&i) {
            roots.push(i);
        }
    }
    Ok((nodes, roots))
}

pub(crate) fn load_skins(data: &GltfData) -> Result<Vec<Skin>, AvatarError> {
    let node_count = data.root.nodes.len();
    let mut skins = Vec::with_capacity(data.root.skins.len());
    for (index, s) in data.root.skins.iter().enumerate() {
        let joints: Vec<usize> = s.joints.iter().map(|j| j.value()).collect();
        if let Some(&j) = joints.iter().find(|&&j| j >= node_count) {
            return Err(out_of_range(
                "node",
                j,
                node_count,
                format!("skin {index}'s joints"),
            ));
        }
        let inverse_bind_matrices = match s.inverse_bind_matrices {
            Some(a) => {
                let values = read_f32(data, a.value(), &format!("skin {index}"))?;
                let matrices: Vec<Mat4> = values
                    .to_arrays::<16>()
                    .iter()
                    .map(Mat4::from_cols_array)
                    .collect();
                if matrices.len() < joints.len() {
                    return Err(AvatarError::BadAccessor {
                        accessor: a.value(),
                        reason: format!(
                            "skin {index} has {} joints but only {} inverse bind matrices",
                            joints.len(),
                            matrices.len()
                        ),
                    });
                }
                matrices
            }
            None => vec![Mat4::IDENTITY; joints.len()],
        };
        skins.push(Skin {
            name: s.name.clone().unwrap_or_else(|| format!("skin{index}")),
            joints,
            inverse_bind_matrices,
        });
    }
    Ok(skins)
}

impl Avatar {
    /// World transform of every node (index = node index), with
    /// `rotation = rest_rotation * delta` for each listed `(node, delta)`.
    /// Unknown node indices in `node_rotations` are ignored.
    pub fn world_matrices(&self, node_rotations: &[(usize, Quat)]) -> Vec<Mat4> {
        let mut rotations: Vec<Quat> = self.nodes.iter().map(|n| n.rotation).collect();
        for &(node, delta) in node_rotations {
            if let Some(r) = rotations.get_mut(node) {
                *r *= delta;
            }
        }
        let local = |i: usize| {
            let n = &self.nodes[i];
            Mat4::from_scale_rotation_translation(n.scale, rotations[i], n.translation)
        };
        let mut world: Vec<Mat4> = (0..self.nodes.len()).map(local).collect();
        // Depth-first from every parentless node; `visited` keeps a malformed
        // hand-built hierarchy from looping.
        let mut visited = vec![false; self.nodes.len()];
        let mut stack: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].parent.is_none())
            .collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut visited[i], true) {
                continue;
            }
            for &child in &self.nodes[i].children {
                if child < world.len() && !visited[child] {
                    world[child] = world[i] * local(child);
                    stack.push(child);
                }
            }
        }
        world
    }

    /// Per-joint skinning matrices for the mesh on `mesh_node` (glTF §3.7.3):
    /// `inverse(world[mesh_node]) * world[joint] * inverse_bind`. Render with
    /// `world[mesh_node] * joint_matrix * position`. Identity for joints whose
    /// indices are out of range (never on avatars from [`Avatar::load`]).
    pub fn joint_matrices(&self, skin: usize, mesh_node: usize, world: &[Mat4]) -> Vec<Mat4> {
        let Some(skin) = self.skins.get(skin) else {
            return Vec::new();
        };
        let mesh_from_world = world.get(mesh_node).map_or(Mat4::IDENTITY, |m| m.inverse());
        skin.joints
            .iter()
            .enumerate()
            .map(|(j, &node)| {
                let ibm = skin
                    .inverse_bind_matrices
                    .get(j)
                    .copied()
                    .unwrap_or(Mat4::IDENTITY);
                world
                    .get(node)
                    .map_or(Mat4::IDENTITY, |w| mesh_from_world * *w * ibm)
            })
            .collect()
    }

    /// World-space positions of every vertex at rest: skinned meshes placed by
    /// their skeleton, others by their node. Calls
    /// `visit(node, primitive, vertex_index, world_position)`.
    pub fn for_each_rest_vertex(&self, mut visit: impl FnMut(usize, &Primitive, usize, Vec3)) {
        let world = self.world_matrices(&[]);
        for (node_index, node) in self.nodes.iter().enumerate() {
            let Some(mesh) = node.mesh.and_then(|m| self.meshes.get(m)) else {
                continue;
            };
            let node_world = world[node_index];
            let joints = node
                .skin
                .map(|s| self.joint_matrices(s, node_index, &world))
                .unwrap_or_default();
            for p in &mesh.primitives {
                for (v, &pos) in p.positions.iter().enumerate() {
                    let pos = Vec3::from(pos);
                    let local = match (&p.joints, &p.weights, joints.is_empty()) {
                        (Some(js), Some(ws), false) => {
                            let mut sum = Vec3::ZERO;
                            for k in 0..4 {
                                let w = ws.get(v).map_or(0.0, |w| w[k]);
                                let j = js.get(v).map_or(0, |j| j[k]) as usize;
                                if w > 0.0 {
                                    let m = joints.get(j).copied().unwrap_or(Mat4::IDENTITY);
                                    sum += w * m.transform_point3(pos);
                                }
                            }
                            sum
                        }
                        _ => pos,
                    };
                    visit(node_index, p, v, node_world.transform_point3(local));
                }
            }
        }
    }

    /// Axis-aligned world bounds `(min, max)` at rest, skinned meshes at their
    /// bind pose; `(0, 0)` for an avatar without vertices.
    pub fn bounds(&self) -> (Vec3, Vec3) {
        let mut min = Vec3::splat(f32::INFINITY);
        let mut max = Vec3::splat(f32::NEG_INFINITY);
        self.for_each_rest_vertex(|_, _, _, p| {
            min = min.min(p);
            max = max.max(p);
        });
        if min.x > max.x {
            (Vec3::ZERO, Vec3::ZERO)
        } else {
            (min, max)
        }
    }
}
