//! Blinks: irregular, at a natural rate, identical for a seed.
//!
//! Time is cut into slots of one mean blink interval; each slot holds one
//! blink at a seeded position in its middle 60 %, and sometimes a second,
//! quick "double blink". Intervals therefore vary between 0.4 and 1.6 mean
//! intervals, and any instant's eyelid depends only on (seed, t): no state,
//! no history to replay.

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::noise::{smoothstep, unit};

const STREAM_POSITION: u64 = 0xB1;
const STREAM_DOUBLE: u64 = 0xB2;
/// Share of blinks followed by a second one (people do this now and then).
const DOUBLE_CHANCE: f64 = 0.08;
/// The second blink of a double starts this long after the first.
const DOUBLE_GAP_SECS: f64 = 0.3;
/// Lids close in the first 40 % of a blink and open more slowly.
const CLOSING_SHARE: f64 = 0.4;

/// Eyelid closure over time for one seed.
#[derive(Debug, Clone)]
pub struct BlinkScheduler {
    seed: u64,
    slot_secs: f64,
    duration_secs: f64,
}

impl BlinkScheduler {
    pub fn new(seed: u64, blinks_per_min: f32, duration: SampleTime) -> Self {
        let rate = f64::from(blinks_per_min).clamp(1.0, 60.0);
        BlinkScheduler {
            seed,
            slot_secs: 60.0 / rate,
            duration_secs: duration.as_secs_f64().clamp(0.05, 0.5),
        }
    }

    /// Start times (seconds) of the blinks in slot `k`.
    fn blinks_in_slot(&self, k: i64) -> [Option<f64>; 2] {
        let first = (k as f64 + 0.2 + 0.6 * unit(self.seed, STREAM_POSITION, k)) * self.slot_secs;
        let double = unit(self.seed, STREAM_DOUBLE, k) < DOUBLE_CHANCE;
        [Some(first), double.then_some(first + DOUBLE_GAP_SECS)]
    }

    /// Lid closure at `t`: 0 open, 1 shut.
    pub fn closure(&self, t: SampleTime) -> f32 {
        let secs = t.0 as f64 / f64::from(SAMPLE_RATE_HZ);
        let k = (secs / self.slot_secs).floor() as i64;
        let mut closure = 0.0f64;
        // A blink starting in the previous slot may still be running.
        for slot in [k - 1, k] {
            for start in self.blinks_in_slot(slot).into_iter().flatten() {
                let x = (secs - start) / self.duration_secs;
                if (0.0..1.0).contains(&x) {
                    closure = closure.max(blink_curve(x));
                }
            }
        }
        closure as f32
    }
}

/// Lid closure for a blink at phase `x` in 0..1: fast close, slower open.
pub(super) fn blink_curve(x: f64) -> f64 {
    if x < CLOSING_SHARE {
        smoothstep(x / CLOSING_SHARE)
    } else {
        1.0 - smoothstep((x - CLOSING_SHARE) / (1.0 - CLOSING_SHARE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_closes_fully_and_reopens() {
        assert_eq!(blink_curve(0.0), 0.0);
        assert_eq!(blink_curve(CLOSING_SHARE), 1.0);
        assert!(blink_curve(0.999) < 0.01);
    }

    #[test]
    fn each_slot_has_a_blink_inside_it() {
        let b = BlinkScheduler::new(5, 15.0, SampleTime::from_millis(150));
        for k in 0..100 {
            let [first, second] = b.blinks_in_slot(k);
            let first = first.unwrap_or(f64::NAN);
            assert!(first >= (k as f64 + 0.2) * 4.0 && first <= (k as f64 + 0.8) * 4.0);
            if let Some(s) = second {
                assert!((s - first - DOUBLE_GAP_SECS).abs() < 1e-9);
            }
        }
    }
}
