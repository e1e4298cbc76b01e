//! Life at rest: gaze saccades toward the viewer, head sway and breathing.
//! All are pure functions of (seed, t), like blinks.

use glam::{Quat, Vec2};

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::noise::{SmoothNoise, smoothstep, unit};

const STREAM_GAZE_X: u64 = 0x6A;
const STREAM_GAZE_Y: u64 = 0x6B;
const STREAM_GAZE_SWITCH: u64 = 0x6C;
const STREAM_GAZE_CENTER: u64 = 0x6D;
/// One fixation per slot on average; the switch time inside each slot is
/// seeded, so fixations last 0.2–1.8 slots.
pub(super) const GAZE_SLOT_SECS: f64 = 1.7;
/// A small saccade takes 30–50 ms.
const SACCADE_SECS: f64 = 0.04;
/// Share of fixations straight at the viewer.
const CENTER_CHANCE: f64 = 0.35;

/// Gaze (yaw, pitch) in radians: fixations near the viewer joined by quick saccades.
#[derive(Debug, Clone)]
pub struct Gaze {
    seed: u64,
    range_rad: f64,
}

impl Gaze {
    pub fn new(seed: u64, range_rad: f32) -> Self {
        Gaze {
            seed,
            range_rad: f64::from(range_rad.abs()),
        }
    }

    /// Where fixation `k` looks.
    fn target(&self, k: i64) -> (f64, f64) {
        if unit(self.seed, STREAM_GAZE_CENTER, k) < CENTER_CHANCE {
            return (0.0, 0.0);
        }
        let yaw = (unit(self.seed, STREAM_GAZE_X, k) * 2.0 - 1.0) * self.range_rad;
        // People glance sideways more than up and down.
        let pitch = (unit(self.seed, STREAM_GAZE_Y, k) * 2.0 - 1.0) * self.range_rad * 0.5;
        (yaw, pitch)
    }

    /// Seconds into slot `k` at which the saccade to fixation `k` starts.
    fn switch_secs(&self, k: i64) -> f64 {
        (k as f64 + 0.05 + 0.8 * unit(self.seed, STREAM_GAZE_SWITCH, k)) * GAZE_SLOT_SECS
    }

    /// When fixation `k`'s saccade starts (seconds) and how far it jumps
    /// (radians), for blinks that go with gaze shifts.
    pub(super) fn shift(&self, k: i64) -> (f64, f64) {
        let (from, to) = (self.target(k - 1), self.target(k));
        let jump = ((to.0 - from.0).powi(2) + (to.1 - from.1).powi(2)).sqrt();
        (self.switch_secs(k), jump)
    }

    pub(super) fn range_rad(&self) -> f64 {
        self.range_rad
    }

    pub fn at(&self, t: SampleTime) -> Vec2 {
        let secs = t.0 as f64 / f64::from(SAMPLE_RATE_HZ);
        let k = (secs / GAZE_SLOT_SECS).floor() as i64;
        let switch = self.switch_secs(k);
        let (from, to, x) = if secs < switch {
            // Slot k-1's saccade ended before slot k began.
            (self.target(k - 1), self.target(k - 1), 1.0)
        } else {
            (
                self.target(k - 1),
                self.target(k),
                (secs - switch) / SACCADE_SECS,
            )
        };
        let s = smoothstep(x);
        Vec2::new(
            (from.0 + (to.0 - from.0) * s) as f32,
            (from.1 + (to.1 - from.1) * s) as f32,
        )
    }
}

/// Head, neck and chest motion: slow seeded sway plus breathing.
#[derive(Debug, Clone)]
pub struct IdleMotion {
    yaw: SmoothNoise,
    pitch: SmoothNoise,
    roll: SmoothNoise,
    breath_phase: SmoothNoise,
    sway_rad: f64,
    breath_hz: f64,
    breath_depth_rad: f64,
}

/// Bone rotations for one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyPose {
    pub head: Quat,
    pub neck: Quat,
    pub chest: Quat,
}

impl IdleMotion {
    pub fn new(seed: u64, sway_rad: f32, breaths_per_min: f32, breath_depth_rad: f32) -> Self {
        IdleMotion {
            yaw: SmoothNoise::new(seed, 0x1D1, 0.09),
            pitch: SmoothNoise::new(seed, 0x1D2, 0.12),
            roll: SmoothNoise::new(seed, 0x1D3, 0.07),
            // Breathing is not a metronome: its phase wanders slowly.
            breath_phase: SmoothNoise::new(seed, 0x1D4, 0.02),
            sway_rad: f64::from(sway_rad),
            breath_hz: f64::from(breaths_per_min.clamp(4.0, 40.0)) / 60.0,
            breath_depth_rad: f64::from(breath_depth_rad),
        }
    }

    /// `speaking` (0..=1) doubles the sway; `emphasis` (0..=1) adds a small nod.
    pub fn at(&self, t: SampleTime, speaking: f32, emphasis: f32) -> BodyPose {
        let secs = t.0 as f64 / f64::from(SAMPLE_RATE_HZ);
        let amp = self.sway_rad * (1.0 + f64::from(speaking.clamp(0.0, 1.0)));
        let yaw = amp * self.yaw.at(secs);
        // +pitch in FacePose terms tilts the face up; an emphatic nod dips it.
        let pitch = amp * 0.7 * self.pitch.at(secs) - 0.03 * f64::from(emphasis.clamp(0.0, 1.0));
        let roll = amp * 0.5 * self.roll.at(secs);
        let breath = self.breath(secs);
        // The neck carries 40 % of the sway, the head the rest.
        let rot = |share: f64| {
            Quat::from_euler(
                glam::EulerRot::YXZ,
                (yaw * share) as f32,
                (-pitch * share) as f32,
                (roll * share) as f32,
            )
        };
        BodyPose {
            head: rot(0.6),
            neck: rot(0.4),
            // Inhaling lifts the chest: a small backward tilt.
            chest: Quat::from_rotation_x((-breath * self.breath_depth_rad) as f32),
        }
    }

    /// Breath cycle in 0..1 (1 = full inhale).
    fn breath(&self, secs: f64) -> f64 {
        let phase =
            std::f64::consts::TAU * self.breath_hz * secs + 0.6 * self.breath_phase.at(secs);
        0.5 - 0.5 * phase.cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaze_stays_in_range_and_moves_by_saccades() {
        let gaze = Gaze::new(11, 0.06);
        let mut moves = 0;
        let mut prev = gaze.at(SampleTime::ZERO);
        for i in 1..(60 * 100) {
            let g = gaze.at(SampleTime(i * 480));
            assert!(g.x.abs() <= 0.06 + 1e-6 && g.y.abs() <= 0.03 + 1e-6);
            if (g - prev).length() > 1e-4 {
                moves += 1;
            }
            prev = g;
        }
        // ~35 saccades a minute, each spanning a few 10 ms steps; most of the
        // time the eyes are still.
        assert!(moves > 20 && moves < 600, "{moves} moving steps");
    }

    #[test]
    fn sway_and_breath_are_small_and_smooth() {
        let idle = IdleMotion::new(3, 0.025, 15.0, 0.012);
        let mut prev = idle.at(SampleTime::ZERO, 0.0, 0.0);
        for i in 1..3000 {
            let p = idle.at(SampleTime(i * 1600), 0.0, 0.0);
            assert!(p.head.angle_between(Quat::IDENTITY) < 0.05);
            assert!(p.chest.angle_between(Quat::IDENTITY) <= 0.0121);
            assert!(p.head.angle_between(prev.head) < 0.005, "jerk at frame {i}");
            prev = p;
        }
    }
}
