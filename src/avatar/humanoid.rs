//! Finding humanoid bones by name when the file has no VRM humanoid data:
//! Mixamo (`mixamorig:Head`), plain (`Head`, `Spine2`), VRoid (`J_Bip_C_Head`),
//! Blender (`head`, `upper_arm.L`), case-insensitive, any `prefix:` dropped.

use super::model::{Humanoid, Node};

/// Lower case without separators or a `namespace:` prefix, so that
/// `mixamorig:LeftEye`, `Left_Eye` and `lefteye` compare equal.
pub fn normalize_bone_name(name: &str) -> String {
    let base = name.rsplit(':').next().unwrap_or(name);
    let lower: String = base
        .chars()
        .filter(|c| !matches!(c, '_' | '.' | ' ' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    // Some Mixamo exports drop the colon: `mixamorigHead`.
    lower
        .strip_prefix("mixamorig")
        .map(str::to_string)
        .unwrap_or(lower)
}

/// Candidate names (normalized) for each bone, most specific first.
const HIPS: &[&str] = &["hips", "jbipchips", "pelvis", "hip"];
const SPINE: &[&str] = &["spine", "jbipcspine", "spine01"];
const CHEST: &[&str] = &["chest", "spine1", "jbipcchest", "spine02"];
const UPPER_CHEST: &[&str] = &["upperchest", "spine2", "jbipcupperchest", "spine03"];
const NECK: &[&str] = &["neck", "jbipcneck", "neck01", "neck1"];
const HEAD: &[&str] = &["head", "jbipchead"];
const LEFT_EYE: &[&str] = &["lefteye", "eyel", "leye", "eyeleft", "jadjlfaceeye"];
const RIGHT_EYE: &[&str] = &["righteye", "eyer", "reye", "eyeright", "jadjrfaceeye"];
const LEFT_SHOULDER: &[&str] = &["leftshoulder", "shoulderl", "claviclel", "jbiplshoulder"];
const RIGHT_SHOULDER: &[&str] = &["rightshoulder", "shoulderr", "clavicler", "jbiprshoulder"];
const LEFT_UPPER_ARM: &[&str] = &["leftarm", "leftupperarm", "upperarml", "jbiplupperarm"];
const RIGHT_UPPER_ARM: &[&str] = &["rightarm", "rightupperarm", "upperarmr", "jbiprupperarm"];

/// The first node (in candidate order, then node order) whose normalized name
/// is a candidate. Mesh nodes are skipped: a mesh called `Head` is no bone.
fn find(nodes: &[Node], normalized: &[String], candidates: &[&str]) -> Option<usize> {
    candidates.iter().find_map(|c| {
        normalized
            .iter()
            .enumerate()
            .find(|(i, n)| n.as_str() == *c && nodes[*i].mesh.is_none())
            .map(|(i, _)| i)
    })
}

/// Fills every bone of `humanoid` that is still `None` by name.
pub(crate) fn fill_by_name(nodes: &[Node], humanoid: &mut Humanoid) {
    let normalized: Vec<String> = nodes.iter().map(|n| normalize_bone_name(&n.name)).collect();
    let slots: [(&mut Option<usize>, &[&str]); 12] = [
        (&mut humanoid.hips, HIPS),
        (&mut humanoid.spine, SPINE),
        (&mut humanoid.chest, CHEST),
        (&mut humanoid.upper_chest, UPPER_CHEST),
        (&mut humanoid.neck, NECK),
        (&mut humanoid.head, HEAD),
        (&mut humanoid.left_eye, LEFT_EYE),
        (&mut humanoid.right_eye, RIGHT_EYE),
        (&mut humanoid.left_shoulder, LEFT_SHOULDER),
        (&mut humanoid.right_shoulder, RIGHT_SHOULDER),
        (&mut humanoid.left_upper_arm, LEFT_UPPER_ARM),
        (&mut humanoid.right_upper_arm, RIGHT_UPPER_ARM),
    ];
    for (slot, candidates) in slots {
        if slot.is_none() {
            *slot = find(nodes, &normalized, candidates);
        }
    }
}

/// Sets the bone called `vrm_name` (VRM humanoid bone names, shared by 0.x
/// and 1.0) to `node`; other VRM bones (fingers, legs) are not driven.
pub(crate) fn set_vrm_bone(humanoid: &mut Humanoid, vrm_name: &str, node: usize) {
    let slot = match vrm_name {
        "hips" => &mut humanoid.hips,
        "spine" => &mut humanoid.spine,
        "chest" => &mut humanoid.chest,
        "upperChest" => &mut humanoid.upper_chest,
        "neck" => &mut humanoid.neck,
        "head" => &mut humanoid.head,
        "leftEye" => &mut humanoid.left_eye,
        "rightEye" => &mut humanoid.right_eye,
        "leftShoulder" => &mut humanoid.left_shoulder,
        "rightShoulder" => &mut humanoid.right_shoulder,
        "leftUpperArm" => &mut humanoid.left_upper_arm,
        "rightUpperArm" => &mut humanoid.right_upper_arm,
        _ => return,
    };
    *slot = Some(node);
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::{Quat, Vec3};

    fn node(name: &str) -> Node {
        Node {
            name: name.into(),
            parent: None,
            children: vec![],
            translation: Vec3::ZERO,
            rotation: Quat::IDENTITY,
            scale: Vec3::ONE,
            mesh: None,
            skin: None,
        }
    }

    #[test]
    fn normalizes_common_rig_names() {
        assert_eq!(normalize_bone_name("mixamorig:Head"), "head");
        assert_eq!(normalize_bone_name("mixamorig1:LeftEye"), "lefteye");
        assert_eq!(normalize_bone_name("J_Bip_C_Head"), "jbipchead");
        assert_eq!(normalize_bone_name("upper_arm.L"), "upperarml");
        assert_eq!(normalize_bone_name("mixamorigNeck"), "neck");
    }

    #[test]
    fn finds_mixamo_and_vroid_bones() {
        let nodes: Vec<Node> = [
            "mixamorig:Hips",
            "mixamorig:Spine",
            "mixamorig:Spine1",
            "mixamorig:Spine2",
            "mixamorig:Neck",
            "mixamorig:Head",
            "mixamorig:LeftEye",
            "J_Adj_R_FaceEye",
            "mixamorig:LeftArm",
            "mixamorig:RightShoulder",
        ]
        .iter()
        .map(|n| node(n))
        .collect();
        let mut h = Humanoid::default();
        fill_by_name(&nodes, &mut h);
        assert_eq!(h.hips, Some(0));
        assert_eq!(h.spine, Some(1));
        assert_eq!(h.chest, Some(2));
        assert_eq!(h.upper_chest, Some(3));
        assert_eq!(h.neck, Some(4));
        assert_eq!(h.head, Some(5));
        assert_eq!(h.left_eye, Some(6));
        assert_eq!(h.right_eye, Some(7));
        assert_eq!(h.left_upper_arm, Some(8));
        assert_eq!(h.right_shoulder, Some(9));
        assert_eq!(h.right_upper_arm, None);
    }

    #[test]
    fn mesh_nodes_are_not_bones() {
        let mut mesh_node = node("Head");
        mesh_node.mesh = Some(0);
        let nodes = vec![mesh_node, node("J_Bip_C_Head")];
        let mut h = Humanoid::default();
        fill_by_name(&nodes, &mut h);
        assert_eq!(h.head, Some(1));
    }
}
