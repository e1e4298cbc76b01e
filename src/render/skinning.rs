//! Posed node world matrices and skin joint matrices, on the CPU once per
//! frame (67 joints cost microseconds); the vertex shader blends them.

use glam::{Mat4, Quat};

use super::RenderError;
use crate::animation::AvatarPose;
use crate::avatar::{Node, Skin};

/// World matrix of every node with the pose's rotations applied
/// (`rotation = rest_rotation * delta`, as `AvatarPose` documents).
pub fn posed_world_matrices(nodes: &[Node], pose: &AvatarPose) -> Result<Vec<Mat4>, RenderError> {
    let node_count = nodes.len();
    let mut deltas = vec![Quat::IDENTITY; node_count];
    for &(node, delta) in &pose.node_rotations {
        let slot = deltas.get_mut(node).ok_or_else(|| {
            RenderError::InvalidPose(format!(
                "node rotation for node {node}, but the avatar has {node_count} nodes"
            ))
        })?;
        *slot *= delta;
    }

    let mut world = vec![Mat4::IDENTITY; node_count];
    let mut done = vec![false; node_count];
    // Parents before children: walk down from every parentless node. A node
    // is visited at most once, so a malformed cycle cannot loop forever.
    let mut stack: Vec<usize> = (0..node_count)
        .filter(|&i| nodes[i].parent.is_none())
        .rev()
        .collect();
    while let Some(index) = stack.pop() {
        if done[index] {
            continue;
        }
        let node = &nodes[index];
        let local = Mat4::from_scale_rotation_translation(
            node.scale,
            node.rotation * deltas[index],
            node.translation,
        );
        world[index] = match node.parent {
            Some(parent) if parent < node_count && done[parent] => world[parent] * local,
            _ => local,
        };
        done[index] = true;
        for &child in node.children.iter().rev() {
            if child < node_count && !done[child] {
                stack.push(child);
            }
        }
    }
    Ok(world)
}

/// Joint matrices of one skin: world(joint) × inverse bind matrix.
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
    use crate::avatar::Avatar;
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

    #[test]
    fn pose_rotation_turns_children_around_the_parent() {
        let avatar = Avatar {
            nodes: vec![
                node("neck", None, vec![1], Vec3::new(0.0, 1.0, 0.0)),
                node("nose", Some(0), vec![], Vec3::new(0.0, 0.0, 0.1)),
            ],
            roots: vec![0],
            ..Avatar::default()
        };
        let rest = posed_world_matrices(&avatar.nodes, &AvatarPose::default()).unwrap();
        assert!(
            rest[1]
                .w_axis
                .truncate()
                .abs_diff_eq(Vec3::new(0.0, 1.0, 0.1), 1e-6)
        );
        let pose = AvatarPose {
            morph_weights: vec![],
            node_rotations: vec![(0, Quat::from_rotation_y(std::f32::consts::FRAC_PI_2))],
        };
        let turned = posed_world_matrices(&avatar.nodes, &pose).unwrap();
        assert!(
            turned[1]
                .w_axis
                .truncate()
                .abs_diff_eq(Vec3::new(0.1, 1.0, 0.0), 1e-6)
        );
    }

    #[test]
    fn rotation_for_a_missing_node_is_an_error() {
        let pose = AvatarPose {
            morph_weights: vec![],
            node_rotations: vec![(3, Quat::IDENTITY)],
        };
        assert!(posed_world_matrices(&Avatar::default().nodes, &pose).is_err());
    }
}
