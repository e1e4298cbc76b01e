//! A pose must fit the avatar it is drawn on: checked before any GPU work so
//! that a mismatch is a [`RenderError::InvalidPose`], never garbage or a panic.

use super::RenderError;
use super::upload::GpuAvatar;
use crate::animation::AvatarPose;

pub fn check_pose(avatar: &GpuAvatar, pose: &AvatarPose) -> Result<(), RenderError> {
    if pose.morph_weights.len() > avatar.mesh_target_counts.len() {
        return Err(RenderError::InvalidPose(format!(
            "morph weights for {} meshes, but the avatar has {}",
            pose.morph_weights.len(),
            avatar.mesh_target_counts.len()
        )));
    }
    for (mesh, (weights, &count)) in pose
        .morph_weights
        .iter()
        .zip(&avatar.mesh_target_counts)
        .enumerate()
    {
        if weights.len() > count {
            return Err(RenderError::InvalidPose(format!(
                "{} morph weights for mesh {mesh}, which has {count} targets",
                weights.len()
            )));
        }
        if let Some(bad) = weights.iter().find(|w| !w.is_finite()) {
            return Err(RenderError::InvalidPose(format!(
                "morph weight {bad} on mesh {mesh}"
            )));
        }
    }
    let node_count = avatar.skeleton.node_count();
    if let Some((node, _)) = pose.node_rotations.iter().find(|(n, _)| *n >= node_count) {
        return Err(RenderError::InvalidPose(format!(
            "rotation for node {node}, but the avatar has {node_count} nodes"
        )));
    }
    if let Some((node, q)) = pose.node_rotations.iter().find(|(_, q)| !q.is_finite()) {
        return Err(RenderError::InvalidPose(format!(
            "rotation {q} on node {node}"
        )));
    }
    Ok(())
}
