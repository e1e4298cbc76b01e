//! VRM avatars: VRM 1.0 (`VRMC_vrm`) and VRM 0.x (`VRM`) expressions and
//! humanoid bones, read from the raw extension JSON.

use glam::Quat;
use serde_json::Value;

use super::humanoid::set_vrm_bone;
use super::model::{Expression, Humanoid, MorphBind, Node};

/// Which VRM flavour a file is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VrmVersion {
    V0,
    V1,
}

/// VRM 0.x blend shape presets → VRM 1.0 expression names, so the animation
/// only knows one vocabulary.
fn vrm0_preset_to_v1(preset: &str) -> Option<&'static str> {
    Some(match preset.to_ascii_lowercase().as_str() {
        "a" => "aa",
        "i" => "ih",
        "u" => "ou",
        "e" => "ee",
        "o" => "oh",
        "blink" => "blink",
        "blink_l" => "blinkLeft",
        "blink_r" => "blinkRight",
        "joy" => "happy",
        "angry" => "angry",
        "sorrow" => "sad",
        "fun" => "relaxed",
        "surprised" => "surprised",
        "neutral" => "neutral",
        "lookup" => "lookUp",
        "lookdown" => "lookDown",
        "lookleft" => "lookLeft",
        "lookright" => "lookRight",
        _ => return None,
    })
}

fn as_index(v: Option<&Value>) -> Option<usize> {
    v.and_then(Value::as_u64).map(|i| i as usize)
}

/// Expressions and humanoid bones of a VRM file; `None` if it is not one.
pub(crate) struct VrmData {
    pub version: VrmVersion,
    pub expressions: Vec<Expression>,
    pub humanoid: Humanoid,
}

pub(crate) fn read(
    extensions: Option<&serde_json::Map<String, Value>>,
    nodes: &[Node],
    mesh_targets: &[usize],
) -> Option<VrmData> {
    let extensions = extensions?;
    // A bind is kept only if its mesh and target exist: VRM files in the wild
    // carry stale binds, and the renderer must be able to trust them.
    let bind = |mesh: Option<usize>, target: Option<usize>, weight: f32| {
        let (mesh, target) = (mesh?, target?);
        (mesh_targets.get(mesh).is_some_and(|&n| target < n)).then_some(MorphBind {
            mesh,
            target,
            weight,
        })
    };
    if let Some(vrm) = extensions.get("VRMC_vrm") {
        let mut humanoid = Humanoid::default();
        if let Some(bones) = vrm
            .pointer("/humanoid/humanBones")
            .and_then(Value::as_object)
        {
            for (name, bone) in bones {
                if let Some(node) = as_index(bone.get("node")).filter(|&n| n < nodes.len()) {
                    set_vrm_bone(&mut humanoid, name, node);
                }
            }
        }
        let mut expressions = Vec::new();
        for group in ["preset", "custom"] {
            let Some(map) = vrm
                .pointer(&format!("/expressions/{group}"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (name, expression) in map {
                let binds = expression
                    .get("morphTargetBinds")
                    .and_then(Value::as_array)
                    .map(|binds| {
                        binds
                            .iter()
                            .filter_map(|b| {
                                // VRM 1.0 binds name the node; its mesh holds the target.
                                let node = as_index(b.get("node"))?;
                                let mesh = nodes.get(node)?.mesh;
                                let weight = b.get("weight").and_then(Value::as_f64).unwrap_or(1.0);
                                bind(mesh, as_index(b.get("index")), weight as f32)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                expressions.push(Expression {
                    name: name.clone(),
                    binds,
                });
            }
        }
        return Some(VrmData {
            version: VrmVersion::V1,
            expressions,
            humanoid,
        });
    }
    let vrm = extensions.get("VRM")?;
    let mut humanoid = Humanoid::default();
    for bone in vrm
        .pointer("/humanoid/humanBones")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = bone.get("bone").and_then(Value::as_str).unwrap_or_default();
        if let Some(node) = as_index(bone.get("node")).filter(|&n| n < nodes.len()) {
            set_vrm_bone(&mut humanoid, name, node);
        }
    }
    let mut expressions: Vec<Expression> = Vec::new();
    let groups = vrm
        .pointer("/blendShapeMaster/blendShapeGroups")
        .and_then(Value::as_array);
    for group in groups.into_iter().flatten() {
        let preset = group
            .get("presetName")
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        let group_name = group
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = match vrm0_preset_to_v1(preset) {
            Some(v1) => v1.to_string(),
            None if !group_name.is_empty() => group_name.to_string(),
            None => continue,
        };
        if expressions.iter().any(|e| e.name == name) {
            continue;
        }
        let binds = group
            .get("binds")
            .and_then(Value::as_array)
            .map(|binds| {
                binds
                    .iter()
                    .filter_map(|b| {
                        // VRM 0.x binds name the mesh directly, weights in 0..=100.
                        let weight = b.get("weight").and_then(Value::as_f64).unwrap_or(100.0);
                        bind(
                            as_index(b.get("mesh")),
                            as_index(b.get("index")),
                            (weight / 100.0) as f32,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        expressions.push(Expression { name, binds });
    }
    Some(VrmData {
        version: VrmVersion::V0,
        expressions,
        humanoid,
    })
}

/// VRM 0.x avatars face -Z; turn the roots half a turn about Y so every
/// avatar faces +Z (what three-vrm's `rotateVRM0` does). Skinning stays
/// consistent: joint matrices are `world * inverse_bind`, and world gains the
/// same rotation for every joint.
pub(crate) fn turn_to_face_plus_z(nodes: &mut [Node], roots: &[usize]) {
    let half_turn = Quat::from_rotation_y(std::f32::consts::PI);
    for &r in roots {
        if let Some(node) = nodes.get_mut(r) {
            node.rotation = (half_turn * node.rotation).normalize();
            node.translation = half_turn * node.translation;
            // Scale stays: a uniform scale commutes with the turn, and VRM
            // roots do not carry non-uniform scale in practice.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Vec3;
    use serde_json::json;

    fn node(mesh: Option<usize>) -> Node {
        Node {
            name: String::new(),
            parent: None,
            children: vec![],
            translation: Vec3::ZERO,
            rotation: Quat::IDENTITY,
            scale: Vec3::ONE,
            mesh,
            skin: None,
        }
    }

    #[test]
    fn reads_vrm1_expressions_and_bones() {
        let ext = json!({"VRMC_vrm": {
        "humanoid": {"humanBones": {"head": {"node": 1}, "neck": {"node": 0}, "leftEye": {"node": 9}}},
        "expressions": {
            "preset": {"aa": {"morphTargetBinds": [{"node": 2, "index": 3, "weight": 1.0}]}},
            "custom": {"smirk": {"morphTargetBinds": [{"node": 2, "index": 9, "weight": 0.5}]}}
        }}});
        let nodes = vec![node(None), node(None), node(Some(0))];
        let vrm = read(ext.as_object(), &nodes, &[5]).expect("is VRM");
        assert_eq!(vrm.version, VrmVersion::V1);
        assert_eq!(vrm.humanoid.head, Some(1));
        assert_eq!(vrm.humanoid.neck, Some(0));
        assert_eq!(vrm.humanoid.left_eye, None, "node 9 does not exist");
        let aa = vrm.expressions.iter().find(|e| e.name == "aa").expect("aa");
        assert_eq!(
            aa.binds,
            vec![MorphBind {
                mesh: 0,
                target: 3,
                weight: 1.0
            }]
        );
        let smirk = vrm
            .expressions
            .iter()
            .find(|e| e.name == "smirk")
            .expect("smirk");
        assert!(
            smirk.binds.is_empty(),
            "target 9 is out of range and dropped"
        );
    }

    #[test]
    fn maps_vrm0_presets_to_vrm1_names() {
        let ext = json!({"VRM": {
        "humanoid": {"humanBones": [{"bone": "head", "node": 0}]},
        "blendShapeMaster": {"blendShapeGroups": [
            {"name": "A", "presetName": "a", "binds": [{"mesh": 0, "index": 1, "weight": 100}]},
            {"name": "Joy", "presetName": "joy", "binds": [{"mesh": 0, "index": 2, "weight": 50}]},
            {"name": "Wink", "presetName": "unknown", "binds": []}
        ]}}});
        let nodes = vec![node(None)];
        let vrm = read(ext.as_object(), &nodes, &[3]).expect("is VRM");
        assert_eq!(vrm.version, VrmVersion::V0);
        assert_eq!(vrm.humanoid.head, Some(0));
        let names: Vec<&str> = vrm.expressions.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["aa", "happy", "Wink"]);
        assert_eq!(vrm.expressions[1].binds[0].weight, 0.5);
    }
}
