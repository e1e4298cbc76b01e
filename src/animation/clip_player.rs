//! Plays an avatar's glTF animation clips under the procedural motion: an
//! idle clip loops, gestures (`wave`, `nod`, ...) play once when triggered
//! and blend in and out over the idle. For the bones a clip animates, the
//! clip sets the local rotation and the procedural sway, breathing and head
//! motion ride on top of it; other bones stay procedural.
//!
//! Only rotations are applied: a clip's translations and scales (root
//! motion, squash) would move the framed portrait out of the camera, and
//! clip morph weights would fight the visemes.

use glam::Quat;

use crate::avatar::{AnimationClip, Avatar, ClipProperty};
use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::AvatarPose;
use super::noise::smoothstep;

/// Clip names that loop while nothing else plays, best first.
const IDLE_NAMES: [&str; 3] = ["idle", "breathing", "stand"];
/// Gestures fade in and out over this span (or a quarter of a short clip).
const GESTURE_FADE_SECS: f32 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Shot {
    clip: usize,
    start: SampleTime,
}

/// Clip playback for one avatar; a pure function of the triggers and `t`.
#[derive(Debug, Clone)]
pub struct ClipPlayer {
    clips: Vec<AnimationClip>,
    /// Rest rotation of every node, to turn a clip's local rotation into
    /// the delta the renderer applies.
    rest: Vec<Quat>,
    idle: Option<usize>,
    shots: Vec<Shot>,
}

impl ClipPlayer {
    pub fn new(avatar: &Avatar) -> Self {
        let clips: Vec<AnimationClip> = avatar
            .animations
            .iter()
            .filter(|c| c.duration_secs > 0.0 && !c.channels.is_empty())
            .cloned()
            .collect();
        let idle = IDLE_NAMES.iter().find_map(|want| {
            clips
                .iter()
                .position(|c| c.name.to_ascii_lowercase().contains(want))
        });
        ClipPlayer {
            clips,
            rest: avatar.nodes.iter().map(|n| n.rotation).collect(),
            idle,
            shots: Vec::new(),
        }
    }

    /// No clips at all: `apply` leaves poses untouched.
    pub fn is_empty(&self) -> bool {
        self.clips.is_empty()
    }

    /// Name of the looping idle clip, if the avatar has one.
    pub fn idle_clip(&self) -> Option<&str> {
        self.idle.map(|i| self.clips[i].name.as_str())
    }

    /// The clip a gesture name refers to: exact name first (any case),
    /// then a clip whose name contains it (`Armature|wave` for `wave`).
    pub fn find(&self, gesture: &str) -> Option<usize> {
        let want = gesture.trim().to_ascii_lowercase();
        if want.is_empty() {
            return None;
        }
        self.clips
            .iter()
            .position(|c| c.name.to_ascii_lowercase() == want)
            .or_else(|| {
                self.clips
                    .iter()
                    .position(|c| c.name.to_ascii_lowercase().contains(&want))
            })
    }

    /// Plays the first clip matching one of `names` once from `at`; `false`
    /// when the avatar has none of them.
    pub fn play(&mut self, names: &[&str], at: SampleTime) -> bool {
        let Some(clip) = names.iter().find_map(|n| self.find(n)) else {
            return false;
        };
        // Shots stay in start order so `retire_before` can cut from the front.
        let pos = self.shots.partition_point(|s| s.start <= at);
        self.shots.insert(pos, Shot { clip, start: at });
        true
    }

    /// Gestures that start after `t` are dropped (barge-in).
    pub fn stop_at(&mut self, t: SampleTime) {
        self.shots.retain(|s| s.start < t);
    }

    /// Forget gestures that ended before `t`.
    pub fn retire_before(&mut self, t: SampleTime) {
        let clips = &self.clips;
        self.shots.retain(|s| {
            let end = s.start + SampleTime::from_secs_f64(f64::from(clips[s.clip].duration_secs));
            end > t
        });
    }

    /// Applies the clips at `t` to a pose the mapper produced: clip
    /// rotations go first in `node_rotations`, so the procedural deltas
    /// already there are applied on top of them.
    pub fn apply(&self, t: SampleTime, pose: &mut AvatarPose) {
        if self.clips.is_empty() {
            return;
        }
        let secs = t.0 as f64 / f64::from(SAMPLE_RATE_HZ);
        // Local rotation per animated node: idle first, gestures blended over it.
        let mut local: Vec<(usize, Quat)> = Vec::new();
        if let Some(idle) = self.idle {
            let clip = &self.clips[idle];
            let at = (secs % f64::from(clip.duration_secs)) as f32;
            for ch in clip
                .channels
                .iter()
                .filter(|c| c.property == ClipProperty::Rotation)
            {
                set(&mut local, ch.node, ch.rotation_at(at), 1.0, &self.rest);
            }
        }
        for shot in &self.shots {
            let clip = &self.clips[shot.clip];
            let since = (secs - shot.start.as_secs_f64()) as f32;
            if since < 0.0 || since > clip.duration_secs {
                continue;
            }
            let fade = GESTURE_FADE_SECS.min(clip.duration_secs / 4.0).max(1e-3);
            let weight = (smoothstep(f64::from(since / fade))
                * (1.0 - smoothstep(f64::from((since - (clip.duration_secs - fade)) / fade))))
                as f32;
            for ch in clip
                .channels
                .iter()
                .filter(|c| c.property == ClipProperty::Rotation)
            {
                set(
                    &mut local,
                    ch.node,
                    ch.rotation_at(since),
                    weight,
                    &self.rest,
                );
            }
        }
        if local.is_empty() {
            return;
        }
        let deltas = local.into_iter().filter_map(|(node, rotation)| {
            let rest = self.rest.get(node)?;
            let delta = (rest.inverse() * rotation).normalize();
            delta.is_finite().then_some((node, delta))
        });
        pose.node_rotations.splice(0..0, deltas);
    }
}

/// Blends `rotation` into node `node`'s entry by `weight` (from the rest
/// rotation when the node has no entry yet).
fn set(local: &mut Vec<(usize, Quat)>, node: usize, rotation: Quat, weight: f32, rest: &[Quat]) {
    let Some(&rest) = rest.get(node) else {
        return;
    };
    match local.iter_mut().find(|(n, _)| *n == node) {
        Some((_, current)) => *current = current.slerp(rotation, weight).normalize(),
        None => local.push((node, rest.slerp(rotation, weight).normalize())),
    }
}
