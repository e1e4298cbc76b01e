//! Presence states: what the avatar does while the visitor types or speaks
//! (listening), while an answer is prepared (thinking), while it speaks, and
//! at rest. The live driver sets the state at an instant on the audio clock;
//! [`PresenceTrack::sample`] turns the list of changes into small head, gaze
//! and brow offsets, cross-faded so a change never pops. Like blinks, every
//! offset is a pure function of (seed, changes, t).

use glam::Vec2;

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::noise::{smoothstep, unit};

/// What the avatar is doing, as the conversation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresenceState {
    /// Nobody is talking: idle sway, blinks, glances.
    Idle,
    /// The visitor is typing or speaking: small nods, eyes on the viewer,
    /// brows slightly raised.
    Listening,
    /// A question arrived, no answer audible yet: a glance away, up and to
    /// one side, then back.
    Thinking,
    /// The avatar's own speech plays (mouth, emphasis and sway come from the
    /// viseme track).
    Speaking,
}

impl PresenceState {
    pub const ALL: [PresenceState; 4] = [
        PresenceState::Idle,
        PresenceState::Listening,
        PresenceState::Thinking,
        PresenceState::Speaking,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PresenceState::Idle => "idle",
            PresenceState::Listening => "listening",
            PresenceState::Thinking => "thinking",
            PresenceState::Speaking => "speaking",
        }
    }
}

const STREAM_NOD_AT: u64 = 0x9A1;
const STREAM_NOD_ON: u64 = 0x9A2;
const STREAM_THINK_SIDE: u64 = 0x9A3;
const STREAM_THINK_HOLD: u64 = 0x9A4;
const STREAM_THINK_LIFT: u64 = 0x9A5;

/// Listening nods come about once per slot (a listener's "mhm" rhythm).
const NOD_SLOT_SECS: f64 = 2.4;
/// Share of slots with a nod, so the rhythm is not a metronome.
const NOD_CHANCE: f64 = 0.7;
const NOD_SECS: f64 = 0.7;
/// A small nod dips the face ~2.5°.
const NOD_DEPTH_RAD: f64 = 0.045;
/// A listener tilts the head a little towards the speaker.
const LISTEN_TILT_RAD: f32 = 0.03;
const LISTEN_BROW: f32 = 0.14;
/// Eyes stay on the viewer: idle glances shrink to this share.
const LISTEN_GLANCE_SHARE: f32 = 0.25;

/// The thinking glance starts after a short reaction time ...
const THINK_REACT_SECS: f64 = 0.15;
/// ... takes a quick saccade ...
const THINK_SACCADE_SECS: f64 = 0.06;
/// ... is held 0.8–1.5 s and comes back more slowly.
const THINK_HOLD_MIN_SECS: f64 = 0.8;
const THINK_HOLD_SPAN_SECS: f64 = 0.7;
const THINK_RETURN_SECS: f64 = 0.2;
/// A long wait gets another glance this often.
const THINK_REPEAT_SECS: f64 = 3.6;
/// Where the eyes go: ~13° to the side, ~7° up (people look up and away
/// when recalling, not down, which reads as shame).
const THINK_YAW_RAD: f64 = 0.23;
const THINK_PITCH_RAD: f64 = 0.12;
/// The head follows the eyes a little.
const THINK_HEAD_SHARE: f32 = 0.2;
const THINK_BROW_DOWN: f32 = 0.18;
/// The glance starts with a blink (saccades often do) of this length.
const THINK_BLINK_SECS: f64 = 0.15;

/// A state change on the audio clock.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Change {
    at: SampleTime,
    state: PresenceState,
    /// Counts changes since the track began: seeds this change's glance side
    /// and nods, so retiring old changes does not change later ones.
    serial: u64,
}

/// Presence offsets for one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PresenceSample {
    /// Blend weight of each state, indexed like [`PresenceState::ALL`]; sums to 1.
    pub weights: [f32; 4],
    /// Gaze offset in radians (yaw, pitch), added to the idle glances.
    pub gaze: Vec2,
    /// How much of the idle glances to keep (eyes on the viewer while listening).
    pub glance_share: f32,
    /// Head offset (yaw, pitch, roll) in radians; +pitch tilts the face up.
    pub head_yaw_rad: f32,
    pub head_pitch_rad: f32,
    pub head_roll_rad: f32,
    pub brow_inner_up: f32,
    pub brow_outer_up: f32,
    pub brow_down: f32,
    /// Lid closure of a blink that goes with a thinking glance.
    pub blink: f32,
}

impl PresenceSample {
    pub fn weight(&self, state: PresenceState) -> f32 {
        self.weights[state as usize]
    }
}

/// State changes over time, sampled into cross-faded offsets.
#[derive(Debug, Clone)]
pub struct PresenceTrack {
    seed: u64,
    fade_secs: f64,
    /// Weights at the first kept change's instant (what it fades from).
    base: [f32; 4],
    changes: Vec<Change>,
    serial: u64,
}

impl PresenceTrack {
    pub fn new(seed: u64, fade: SampleTime) -> Self {
        PresenceTrack {
            seed,
            fade_secs: fade.as_secs_f64().max(1e-3),
            base: one_hot(PresenceState::Idle),
            changes: Vec::new(),
            serial: 0,
        }
    }

    /// From `at` on the avatar is in `state`. Changes arrive in time order;
    /// one earlier than the last is moved to the last's instant, so a late
    /// command cannot rewrite frames already shown.
    pub fn set(&mut self, at: SampleTime, state: PresenceState) {
        let last = self.changes.last().copied();
        if last.is_some_and(|c| c.state == state) {
            return;
        }
        if last.is_none() && state == PresenceState::Idle {
            return;
        }
        let at = last.map_or(at, |c| at.max(c.at));
        self.serial += 1;
        self.changes.push(Change {
            at,
            state,
            serial: self.serial,
        });
    }

    /// The state set last at or before `t`.
    pub fn state_at(&self, t: SampleTime) -> PresenceState {
        self.changes
            .iter()
            .rev()
            .find(|c| c.at <= t)
            .map_or(PresenceState::Idle, |c| c.state)
    }

    /// Forget changes that no longer affect frames at or after `t`: those
    /// followed by a change whose fade ended before `t`.
    pub fn retire_before(&mut self, t: SampleTime) {
        let secs = secs_of(t);
        let Some(keep_from) = self
            .changes
            .iter()
            .rposition(|c| secs_of(c.at) + self.fade_secs <= secs)
        else {
            return;
        };
        // Glances of a thinking state run from its change, so it stays
        // while it is the current state.
        if keep_from == 0 {
            return;
        }
        self.base = self.weights_at(secs_of(self.changes[keep_from].at));
        self.changes.drain(..keep_from);
    }

    /// Cross-faded state weights at `secs`.
    fn weights_at(&self, secs: f64) -> [f32; 4] {
        let mut from = self.base;
        let mut weights = self.base;
        for (i, c) in self.changes.iter().enumerate() {
            let start = secs_of(c.at);
            if start > secs {
                break;
            }
            if i > 0 {
                // The weights this change fades from: where the previous
                // fade had got to at this change's instant.
                from = weights_between(from, self.changes[i - 1].state, {
                    let prev = secs_of(self.changes[i - 1].at);
                    smoothstep((start - prev) / self.fade_secs)
                });
            }
            weights = weights_between(from, c.state, smoothstep((secs - start) / self.fade_secs));
        }
        weights
    }

    pub fn sample(&self, t: SampleTime) -> PresenceSample {
        let secs = secs_of(t);
        let weights = self.weights_at(secs);
        let listening = weights[PresenceState::Listening as usize];
        let thinking = weights[PresenceState::Thinking as usize];
        let mut out = PresenceSample {
            weights,
            gaze: Vec2::ZERO,
            glance_share: 1.0 - (1.0 - LISTEN_GLANCE_SHARE) * listening,
            head_yaw_rad: 0.0,
            head_pitch_rad: 0.0,
            head_roll_rad: LISTEN_TILT_RAD * listening,
            brow_inner_up: LISTEN_BROW * listening,
            brow_outer_up: 0.7 * LISTEN_BROW * listening,
            brow_down: THINK_BROW_DOWN * thinking,
            blink: 0.0,
        };
        // Nods and glances belong to the most recent listening / thinking
        // change at or before `t` (a fading one keeps its motion until gone).
        if let Some(c) = self.latest(secs, PresenceState::Listening) {
            out.head_pitch_rad -= (listening as f64 * self.nod(secs - secs_of(c.at), c)) as f32;
        }
        if let Some(c) = self.latest(secs, PresenceState::Thinking) {
            let (look, side, lift, mut blink) = self.glance(secs - secs_of(c.at), c);
            // A glance's blink runs whole, but only for glances that began
            // while still thinking (not a repeat due after the answer started).
            let next = self.changes.iter().find(|n| n.serial > c.serial);
            let episode_start =
                ((secs - secs_of(c.at)) / THINK_REPEAT_SECS).floor() * THINK_REPEAT_SECS;
            if next.is_some_and(|n| secs_of(n.at) - secs_of(c.at) <= episode_start) {
                blink = 0.0;
            }
            let yaw = (side * THINK_YAW_RAD * look) as f32 * thinking;
            let pitch = (lift * THINK_PITCH_RAD * look) as f32 * thinking;
            out.gaze = Vec2::new(yaw, pitch);
            out.head_yaw_rad += THINK_HEAD_SHARE * yaw;
            out.head_pitch_rad += THINK_HEAD_SHARE * pitch;
            out.blink = blink as f32;
        }
        out
    }

    fn latest(&self, secs: f64, state: PresenceState) -> Option<Change> {
        self.changes
            .iter()
            .rev()
            .filter(|c| secs_of(c.at) <= secs)
            .find(|c| c.state == state)
            .copied()
    }

    /// Nod depth (rad, positive dips the face) `since` seconds into a
    /// listening change.
    fn nod(&self, since: f64, c: Change) -> f64 {
        let slot = (since / NOD_SLOT_SECS).floor() as i64;
        let key = c.serial as i64 * 1024;
        let mut depth = 0.0f64;
        for k in [slot - 1, slot] {
            if k < 0 || unit(self.seed, STREAM_NOD_ON, key + k) >= NOD_CHANCE {
                continue;
            }
            // The first nod comes soon (an acknowledgement), later ones anywhere.
            let at = k as f64 * NOD_SLOT_SECS
                + 0.25
                + (NOD_SLOT_SECS - NOD_SECS - 0.25) * unit(self.seed, STREAM_NOD_AT, key + k);
            let x = (since - at) / NOD_SECS;
            if (0.0..1.0).contains(&x) {
                let s = (std::f64::consts::PI * x).sin();
                depth = depth.max(NOD_DEPTH_RAD * s * s);
            }
        }
        depth
    }

    /// `(look 0..1, side ±1, lift, blink 0..1)` `since` seconds into a
    /// thinking change.
    fn glance(&self, since: f64, c: Change) -> (f64, f64, f64, f64) {
        let episode = (since / THINK_REPEAT_SECS).floor().max(0.0);
        let key = c.serial as i64 * 1024 + episode as i64;
        let x = since - episode * THINK_REPEAT_SECS - THINK_REACT_SECS;
        let hold =
            THINK_HOLD_MIN_SECS + THINK_HOLD_SPAN_SECS * unit(self.seed, STREAM_THINK_HOLD, key);
        let look = if x < 0.0 {
            0.0
        } else if x < hold {
            smoothstep(x / THINK_SACCADE_SECS)
        } else {
            1.0 - smoothstep((x - hold) / THINK_RETURN_SECS)
        };
        let side = if unit(self.seed, STREAM_THINK_SIDE, key) < 0.5 {
            -1.0
        } else {
            1.0
        };
        let lift = 0.6 + 0.4 * unit(self.seed, STREAM_THINK_LIFT, key);
        // The blink starts just before the saccade, closing over 40 %.
        let b = (x + 0.03) / THINK_BLINK_SECS;
        let blink = if (0.0..1.0).contains(&b) {
            super::blink::blink_curve(b)
        } else {
            0.0
        };
        (look, side, lift, blink)
    }
}

fn secs_of(t: SampleTime) -> f64 {
    t.0 as f64 / f64::from(SAMPLE_RATE_HZ)
}

fn one_hot(state: PresenceState) -> [f32; 4] {
    let mut w = [0.0; 4];
    w[state as usize] = 1.0;
    w
}

/// `from` faded towards all-`state` by `s` in 0..=1.
fn weights_between(from: [f32; 4], state: PresenceState, s: f64) -> [f32; 4] {
    let to = one_hot(state);
    let s = s as f32;
    let mut w = [0.0; 4];
    for i in 0..4 {
        w[i] = from[i] + (to[i] - from[i]) * s;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SampleTime {
        SampleTime::from_millis(v)
    }

    #[test]
    fn weights_fade_and_always_sum_to_one() {
        let mut p = PresenceTrack::new(3, ms(400));
        p.set(ms(1000), PresenceState::Listening);
        p.set(ms(1200), PresenceState::Thinking);
        p.set(ms(3000), PresenceState::Speaking);
        let mut prev = p.sample(SampleTime::ZERO).weights;
        assert_eq!(prev, one_hot(PresenceState::Idle));
        for i in 1..500 {
            let w = p.sample(ms(i * 10)).weights;
            assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{w:?} at {i}");
            for k in 0..4 {
                // 10 ms of a 400 ms smoothstep moves at most ~4 %.
                assert!((w[k] - prev[k]).abs() < 0.05, "pop at {} ms", i * 10);
            }
            prev = w;
        }
        assert_eq!(p.sample(ms(4000)).weights, one_hot(PresenceState::Speaking));
        assert_eq!(p.state_at(ms(1100)), PresenceState::Listening);
    }

    #[test]
    fn retiring_old_changes_keeps_later_samples() {
        let mut p = PresenceTrack::new(9, ms(400));
        for (i, s) in [
            PresenceState::Listening,
            PresenceState::Thinking,
            PresenceState::Speaking,
            PresenceState::Idle,
            PresenceState::Listening,
            PresenceState::Thinking,
        ]
        .into_iter()
        .enumerate()
        {
            p.set(ms(1000 + 900 * i as u64), s);
        }
        let before: Vec<_> = (500..800).map(|i| p.sample(ms(i * 10))).collect();
        let mut q = p.clone();
        q.retire_before(ms(5000));
        assert!(q.changes.len() < p.changes.len());
        let after: Vec<_> = (500..800).map(|i| q.sample(ms(i * 10))).collect();
        for (a, b) in before.iter().zip(&after) {
            for k in 0..4 {
                assert!((a.weights[k] - b.weights[k]).abs() < 1e-5);
            }
            assert!((a.gaze - b.gaze).length() < 1e-6);
        }
    }

    #[test]
    fn thinking_glances_up_and_away_then_back() {
        let mut p = PresenceTrack::new(5, ms(400));
        p.set(ms(1000), PresenceState::Thinking);
        let gaze: Vec<Vec2> = (0..300).map(|i| p.sample(ms(1000 + i * 10)).gaze).collect();
        let peak = gaze.iter().map(|g| g.length()).fold(0.0, f32::max);
        assert!(peak > 0.15, "glance {peak} rad");
        assert!(gaze.iter().all(|g| g.y >= 0.0), "never looks down");
        // Back on the viewer 2.5 s in (hold ≤ 1.5 s + return 0.2 s).
        assert!(gaze[250].length() < 1e-3, "{:?}", gaze[250]);
        let blink = (0..100)
            .map(|i| p.sample(ms(1000 + i * 10)).blink)
            .fold(0.0, f32::max);
        assert!(blink > 0.8, "the glance starts with a blink: {blink}");
    }

    #[test]
    fn listening_nods_and_raises_brows() {
        let mut p = PresenceTrack::new(2, ms(400));
        p.set(ms(0), PresenceState::Listening);
        let s: Vec<_> = (0..1000).map(|i| p.sample(ms(i * 10))).collect();
        let nods = s
            .windows(2)
            .filter(|w| w[0].head_pitch_rad > -0.02 && w[1].head_pitch_rad <= -0.02)
            .count();
        assert!((2..=6).contains(&nods), "{nods} nods in 10 s");
        assert!(s.iter().all(|x| x.head_pitch_rad >= -0.046));
        assert!(s[500].brow_inner_up > 0.1 && s[500].glance_share < 0.3);
    }
}
