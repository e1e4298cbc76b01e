//! Posed node world matrices and skin joint matrices, on the CPU once per
//! frame (67 joints cost microseconds); the vertex shader blends them.

use glam::{Mat4, Quat};

use crate::avatar::{Avatar, Skin};

/// The nodes and skins of an uploaded avatar: all the renderer needs to
/// pose it each frame, without keeping the vertex data on the CPU.
pub struct Skeleton(Avatar);

impl Skeleton {
    pub fn new(avatar: &Avatar) -> Skeleton {
        Skeleton(Avatar {
            nodes: avatar.nodes.clone(),
            roots: avatar.roots.clone(),
            skins: avatar.skins.clone(),
            ..Avatar::default()
        })
    }

    pub fn node_count(&self) -> usize {
        self.0.nodes.len()
    }

    /// World matrices of every node with `node_rotations` applied, and the
    /// buffer layout the vertex shader reads: those world matrices, then each
    /// skin's joint matrices in skin order.
    pub fn matrices(&self, node_rotations: &[(usize, Quat)]) -> (Vec<Mat4>, Vec<Mat4>) {
        let world = self.0.world_matrices(node_rotations);
        let mut all = world.clone();
        for skin in &self.0.skins {
            all.extend(joint_matrices(skin, &world));
        }
        (world, all)
    }

    /// Where each skin's joint matrices start in [`Self::matrices`]' buffer.
    pub fn skin_offsets(&self) -> Vec<u32> {
        let mut offset = self.0.nodes.len() as u32;
        self.0
            .skins
            .iter()
            .map(|skin| {
                let start = offset;
                offset += skin.joints.len() as u32;
                start
            })
            .collect()
    }
}

/// Joint matrices of one skin: world(joint) × inverse bind matrix. glTF
/// ignores the skinned mesh node's own transform, so these map bind-space
/// vertices straight to world space. (`Avatar::joint_matrices` gives the
/// same product expressed relative to the mesh node.)
pub fn joint_matrices(skin: &Skin, world: &[Mat4]) -> Vec<Mat4> {
    skin.joints
        .iter()
        .enumerate()
        .map(|(i, &joint)| {
            let inverse_bind = skin
                .inverse_bind_matrices
                .get(i)
                .copied()
                .unwrap_or(Mat4::IDENTITY);
            world.get(joint).copied().unwrap_or(Mat4::IDENTITY) * inverse_bind
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avatar::Node;
    use glam::Vec3;

    fn node(name: &str, parent: Option<usize>, children: Vec<usize>, translation: Vec3) -> Node {
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

    fn neck_and_nose() -> Avatar {
        Avatar {
            nodes: vec![
                node("neck", None, vec![1], Vec3::new(0.0, 1.0, 0.0)),
                node("nose", Some(0), vec![], Vec3::new(0.0, 0.0, 0.1)),
            ],
            roots: vec![0],
            skins: vec![Skin {
                name: "skin".into(),
                joints: vec![1],
                inverse_bind_matrices: vec![Mat4::from_translation(Vec3::new(0.0, -1.0, -0.1))],
            }],
            ..Avatar::default()
        }
    }

    #[test]
    fn pose_rotation_turns_children_around_the_parent() {
        let skeleton = Skeleton::new(&neck_and_nose());
        let (rest, _) = skeleton.matrices(&[]);
        assert!(
            rest[1]
                .w_axis
                .truncate()
                .abs_diff_eq(Vec3::new(0.0, 1.0, 0.1), 1e-6)
        );
        let quarter_turn = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2);
        let (turned, _) = skeleton.matrices(&[(0, quarter_turn)]);
        assert!(
            turned[1]
                .w_axis
                .truncate()
                .abs_diff_eq(Vec3::new(0.1, 1.0, 0.0), 1e-6)
        );
    }

    #[test]
    fn joint_matrices_are_identity_at_rest_and_follow_after_the_nodes() {
        let skeleton = Skeleton::new(&neck_and_nose());
        let (world, all) = skeleton.matrices(&[]);
        assert_eq!(skeleton.skin_offsets(), vec![2]);
        assert_eq!(all.len(), world.len() + 1);
        assert!(all[2].abs_diff_eq(Mat4::IDENTITY, 1e-6));
    }
}
