//! glTF animation clips: loaded from a generated GLB (LINEAR, STEP and
//! CUBICSPLINE samplers, a malformed clip that is skipped) and played by the
//! `ClipPlayer`: the idle clip loops, gestures blend in and out over it,
//! and procedural bone motion stays on top.

use glam::{Quat, Vec3};

use avatarcast::animation::{AvatarPose, ClipPlayer};
use avatarcast::avatar::{Avatar, ClipProperty, Interpolation, build_glb};
use avatarcast::clock::SampleTime;

fn f32s(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A 3-node skeleton (root → head, root → neck) with four animations:
/// `wave` (LINEAR rotation + STEP translation on the head), `nod`
/// (CUBICSPLINE rotation on the head), `Idle` (LINEAR rotation on the neck,
/// 1 s loop) and `broken` (rotation output of the wrong size).
fn fixture() -> Avatar {
    let q0 = [0.0, 0.0, 0.0, 1.0];
    let q1 = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2).to_array();
    let zero = [0.0f32; 4];
    let mut bin = Vec::new();
    let mut views = Vec::new();
    let mut push = |data: Vec<u8>| {
        views.push((bin.len(), data.len()));
        bin.extend(data);
    };
    push(f32s(&[0.0, 1.0])); // 0: times
    push(f32s(&[q0, q1].concat())); // 1: linear rotations
    push(f32s(&[0.0, 0.0, 0.0, 1.0, 0.0, 0.0])); // 2: step translations
    push(f32s(&[zero, q0, zero, zero, q1, zero].concat())); // 3: cubic rotations
    let views_json: Vec<String> = views
        .iter()
        .map(|(offset, len)| format!(r#"{{"buffer":0,"byteOffset":{offset},"byteLength":{len}}}"#))
        .collect();
    let json = format!(
        r#"{{
  "asset": {{"version": "2.0"}},
  "scene": 0,
  "scenes": [{{"nodes": [0]}}],
  "nodes": [
    {{"name": "root", "children": [1, 2]}},
    {{"name": "Head", "translation": [0, 1.6, 0]}},
    {{"name": "Neck", "translation": [0, 1.5, 0], "rotation": [0, 0, 0.0998, 0.995]}}
  ],
  "buffers": [{{"byteLength": {len}}}],
  "bufferViews": [{views}],
  "accessors": [
    {{"bufferView": 0, "componentType": 5126, "count": 2, "type": "SCALAR", "min": [0], "max": [1]}},
    {{"bufferView": 1, "componentType": 5126, "count": 2, "type": "VEC4"}},
    {{"bufferView": 2, "componentType": 5126, "count": 2, "type": "VEC3"}},
    {{"bufferView": 3, "componentType": 5126, "count": 6, "type": "VEC4"}}
  ],
  "animations": [
    {{"name": "wave",
      "channels": [{{"sampler": 0, "target": {{"node": 1, "path": "rotation"}}}},
                   {{"sampler": 1, "target": {{"node": 1, "path": "translation"}}}}],
      "samplers": [{{"input": 0, "output": 1, "interpolation": "LINEAR"}},
                   {{"input": 0, "output": 2, "interpolation": "STEP"}}]}},
    {{"name": "nod",
      "channels": [{{"sampler": 0, "target": {{"node": 1, "path": "rotation"}}}}],
      "samplers": [{{"input": 0, "output": 3, "interpolation": "CUBICSPLINE"}}]}},
    {{"name": "Idle",
      "channels": [{{"sampler": 0, "target": {{"node": 2, "path": "rotation"}}}}],
      "samplers": [{{"input": 0, "output": 1}}]}},
    {{"name": "broken",
      "channels": [{{"sampler": 0, "target": {{"node": 1, "path": "rotation"}}}}],
      "samplers": [{{"input": 0, "output": 2}}]}}
  ]
}}"#,
        len = bin.len(),
        views = views_json.join(",")
    );
    Avatar::from_glb_bytes(&build_glb(&json, &bin), "clips").expect("fixture loads")
}

/// The angle between two rotations, accurate for tiny angles too
/// (`Quat::angle_between` goes through `acos` and is off by ~1e-3 there).
fn angle(a: Quat, b: Quat) -> f32 {
    let d = a.inverse() * b;
    2.0 * d.xyz().length().atan2(d.w.abs())
}

#[test]
fn clips_load_with_their_interpolation_and_a_malformed_one_is_skipped() {
    let avatar = fixture();
    let names: Vec<&str> = avatar.animations.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["wave", "nod", "Idle"], "`broken` is skipped");
    let wave = &avatar.animations[0];
    assert_eq!(wave.duration_secs, 1.0);
    let rotation = &wave.channels[0];
    assert_eq!(
        (rotation.node, rotation.property, rotation.interpolation),
        (1, ClipProperty::Rotation, Interpolation::Linear)
    );
    // LINEAR rotations slerp: halfway is 45°.
    let half = rotation.rotation_at(0.5);
    assert!((angle(half, Quat::IDENTITY) - std::f32::consts::FRAC_PI_4).abs() < 1e-4);
    // Before the first and after the last keyframe the ends hold.
    assert!(angle(rotation.rotation_at(-1.0), Quat::IDENTITY) < 1e-5);
    let end = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2);
    assert!(angle(rotation.rotation_at(7.0), end) < 1e-5);
    // STEP holds each value until the next keyframe.
    let step = &wave.channels[1];
    assert_eq!(step.interpolation, Interpolation::Step);
    assert_eq!(step.vec3_at(0.99), Vec3::ZERO);
    assert_eq!(step.vec3_at(1.0), Vec3::X);
    // CUBICSPLINE with zero tangents eases: a quarter in it has moved
    // 3s² − 2s³ = 15.6 % of the way (componentwise, then normalised), far
    // less than LINEAR's 25 %.
    let cubic = &avatar.animations[1].channels[0];
    assert_eq!(cubic.interpolation, Interpolation::CubicSpline);
    let h = 0.156_25f32;
    let q1 = end;
    let expected = Quat::from_xyzw(q1.x * h, q1.y * h, q1.z * h, (1.0 - h) + q1.w * h).normalize();
    assert!(angle(cubic.rotation_at(0.25), expected) < 1e-4);
    assert!(angle(cubic.rotation_at(0.25), Quat::IDENTITY) < 0.2 * std::f32::consts::FRAC_PI_2);
}

fn rotation_of(pose: &AvatarPose, node: usize) -> Quat {
    pose.node_rotations
        .iter()
        .filter(|(n, _)| *n == node)
        .fold(Quat::IDENTITY, |acc, (_, d)| acc * *d)
}

#[test]
fn idle_loops_gestures_blend_over_it_and_procedural_motion_stays_on_top() {
    let avatar = fixture();
    let mut player = ClipPlayer::new(&avatar);
    assert_eq!(player.idle_clip(), Some("Idle"));
    let at = |ms: u64| SampleTime::from_millis(ms);
    let pose_at = |player: &ClipPlayer, ms: u64| {
        // A procedural delta the mapper would have written for the head.
        let mut pose = AvatarPose {
            node_rotations: vec![(1, Quat::from_rotation_x(0.01))],
            ..AvatarPose::default()
        };
        player.apply(at(ms), &mut pose);
        pose
    };
    // Idle loops with its 1 s period; its rotation replaces the neck's rest.
    let neck_rest = avatar.nodes[2].rotation;
    let local = |pose: &AvatarPose| neck_rest * rotation_of(pose, 2);
    let a = local(&pose_at(&player, 250));
    let b = local(&pose_at(&player, 3250));
    assert!(angle(a, b) < 1e-4, "idle loops");
    assert!((angle(a, Quat::IDENTITY) - std::f32::consts::FRAC_PI_8).abs() < 1e-3);

    // No gesture yet: the head has only its procedural delta.
    let before = pose_at(&player, 2000);
    assert!(angle(rotation_of(&before, 1), Quat::from_rotation_x(0.01)) < 1e-5);
    assert!(!player.play(&["dance"], at(2000)), "no such clip");
    assert!(player.play(&["greeting", "wave"], at(2000)));
    // Fading in: part of the way at 50 ms; full weight mid-clip; the
    // procedural delta is applied after the clip's rotation.
    let early = angle(rotation_of(&pose_at(&player, 2050), 1), Quat::IDENTITY);
    let mid_pose = pose_at(&player, 2500);
    let clip_half = Quat::from_rotation_y(std::f32::consts::FRAC_PI_4);
    let mid = rotation_of(&mid_pose, 1);
    assert!(angle(mid, clip_half * Quat::from_rotation_x(0.01)) < 1e-4);
    assert!(
        early < angle(mid, Quat::IDENTITY) * 0.2,
        "fades in ({early})"
    );
    // Over after its second: back to procedural only.
    let after = pose_at(&player, 3100);
    assert!(angle(rotation_of(&after, 1), Quat::from_rotation_x(0.01)) < 1e-5);
    // Rotations in the pose stay finite and unit.
    assert!(
        mid_pose
            .node_rotations
            .iter()
            .all(|(_, q)| q.is_normalized())
    );
    // Retiring forgets the finished gesture only.
    player.retire_before(at(3100));
    assert!(
        angle(
            rotation_of(&pose_at(&player, 2500), 1),
            Quat::from_rotation_x(0.01)
        ) < 1e-5
    );
}
