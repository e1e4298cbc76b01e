//! Blinks that go with gaze shifts. People often blink as a larger saccade
//! starts (the lid hides the blur), so some blinks are tied to the seeded
//! glances of [`Gaze`] instead of the [`BlinkScheduler`]'s slots. Pure
//! functions of (seed, t), like every idle motion.

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::blink::{BlinkScheduler, blink_curve};
use super::idle::{GAZE_SLOT_SECS, Gaze};
use super::noise::unit;

const STREAM_PAIRED: u64 = 0xB3;
/// Share of all blinks that go with a saccade.
const PAIRED_SHARE: f32 = 0.3;
/// Only jumps of at least this share of the gaze range get a blink: small
/// corrections do not.
const BIG_JUMP_SHARE: f64 = 0.5;
/// Share of glances that are big jumps: 0.56 measured over 100 minutes
/// (the test below); targets are uniform in the range and a third of
/// fixations are at the centre.
const BIG_JUMP_RATE: f64 = 0.56;
/// The lid starts closing just before the eye moves.
const LEAD_SECS: f64 = 0.02;

/// Eyelids and gaze together: slot blinks plus blinks on big saccades,
/// adding up to `blinks_per_min` on average.
#[derive(Debug, Clone)]
pub struct EyeLife {
    seed: u64,
    slots: BlinkScheduler,
    gaze: Gaze,
    /// Chance that a big jump gets a blink.
    paired_chance: f64,
    duration_secs: f64,
}

impl EyeLife {
    pub fn new(seed: u64, blinks_per_min: f32, duration: SampleTime, gaze_range_rad: f32) -> Self {
        let rate = blinks_per_min.clamp(1.0, 60.0);
        let paired_per_min = f64::from(rate * PAIRED_SHARE);
        let big_jumps_per_min = 60.0 / GAZE_SLOT_SECS * BIG_JUMP_RATE;
        EyeLife {
            seed,
            slots: BlinkScheduler::new(seed, rate * (1.0 - PAIRED_SHARE), duration),
            gaze: Gaze::new(seed, gaze_range_rad),
            paired_chance: (paired_per_min / big_jumps_per_min).min(1.0),
            duration_secs: duration.as_secs_f64().clamp(0.05, 0.5),
        }
    }

    pub fn gaze(&self) -> &Gaze {
        &self.gaze
    }

    /// Start (seconds) of the blink paired with fixation `k`'s saccade, if any.
    pub fn paired_blink(&self, k: i64) -> Option<f64> {
        let (at, jump) = self.gaze.shift(k);
        let big = jump >= BIG_JUMP_SHARE * self.gaze.range_rad() && jump > 0.0;
        (big && unit(self.seed, STREAM_PAIRED, k) < self.paired_chance).then_some(at - LEAD_SECS)
    }

    /// Lid closure at `t`: 0 open, 1 shut.
    pub fn closure(&self, t: SampleTime) -> f32 {
        let secs = t.0 as f64 / f64::from(SAMPLE_RATE_HZ);
        let k = (secs / GAZE_SLOT_SECS).floor() as i64;
        let mut closure = f64::from(self.slots.closure(t));
        for slot in [k - 1, k, k + 1] {
            if let Some(start) = self.paired_blink(slot) {
                let x = (secs - start) / self.duration_secs;
                if (0.0..1.0).contains(&x) {
                    closure = closure.max(blink_curve(x));
                }
            }
        }
        closure as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_30_percent_of_blinks_go_with_big_saccades() {
        // 100 minutes: ~35 glances a minute, BIG_JUMP_RATE of them big.
        let eyes = EyeLife::new(17, 15.0, SampleTime::from_millis(150), 0.06);
        let slots = (100.0 * 60.0 / GAZE_SLOT_SECS) as i64;
        let big = (0..slots)
            .filter(|&k| {
                let (_, jump) = eyes.gaze.shift(k);
                jump >= BIG_JUMP_SHARE * 0.06
            })
            .count();
        let big_share = big as f64 / slots as f64;
        assert!((big_share - BIG_JUMP_RATE).abs() < 0.05, "{big_share}");
        let paired = (0..slots).filter_map(|k| eyes.paired_blink(k)).count();
        let per_min = paired as f64 / 100.0;
        assert!(
            (3.5..=5.5).contains(&per_min),
            "{per_min} paired blinks a minute"
        );
    }
}
