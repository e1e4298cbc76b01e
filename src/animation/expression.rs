//! Facial expressions from the dialog's emotion tags (`[smile]`,
//! `[concerned]`, ...), one per sentence, faded in and out on the audio
//! clock and laid over the visemes without fighting them.

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};
use crate::visemes::Viseme;

use super::noise::smoothstep;

/// An expression the avatar can wear while it speaks (or after): the
/// dialog's emotion tags (`Emotion`, with its `from_tag` and `tag`) are the
/// expressions, so there is one list of them.
pub use crate::dialog::Emotion as FacialExpression;

impl FacialExpression {
    pub const ALL: [FacialExpression; 8] = [
        FacialExpression::Neutral,
        FacialExpression::Smile,
        FacialExpression::Happy,
        FacialExpression::Concerned,
        FacialExpression::Apologetic,
        FacialExpression::Calm,
        FacialExpression::Thinking,
        FacialExpression::Surprised,
    ];

    /// The face at full strength. Tuned by eye on the default avatars: ARKit
    /// shapes at 1.0 are caricatures, a service agent's face is subtle.
    fn target(self) -> ExpressionSample {
        let z = ExpressionSample::default();
        match self {
            FacialExpression::Neutral => z,
            FacialExpression::Smile => ExpressionSample {
                smile: 0.5,
                cheek_squint: 0.3,
                brow_outer_up: 0.05,
                ..z
            },
            FacialExpression::Happy => ExpressionSample {
                smile: 0.75,
                cheek_squint: 0.5,
                brow_inner_up: 0.1,
                brow_outer_up: 0.2,
                head_pitch_rad: 0.015,
                ..z
            },
            FacialExpression::Concerned => ExpressionSample {
                brow_inner_up: 0.8,
                brow_down: 0.25,
                frown: 0.25,
                head_roll_rad: 0.035,
                head_pitch_rad: -0.015,
                rest_smile_off: 1.0,
                ..z
            },
            FacialExpression::Apologetic => ExpressionSample {
                brow_inner_up: 0.85,
                frown: 0.15,
                smile: 0.08,
                head_pitch_rad: -0.045,
                head_roll_rad: 0.025,
                rest_smile_off: 1.0,
                ..z
            },
            FacialExpression::Calm => ExpressionSample {
                smile: 0.22,
                cheek_squint: 0.08,
                ..z
            },
            FacialExpression::Thinking => ExpressionSample {
                brow_down: 0.5,
                brow_inner_up: 0.1,
                frown: 0.05,
                head_roll_rad: -0.03,
                rest_smile_off: 0.6,
                ..z
            },
            FacialExpression::Surprised => ExpressionSample {
                brow_inner_up: 0.8,
                brow_outer_up: 1.0,
                head_pitch_rad: 0.035,
                rest_smile_off: 0.5,
                ..z
            },
        }
    }
}

/// Expression channels for one instant (weights 0..=1, angles in radians).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ExpressionSample {
    pub smile: f32,
    pub frown: f32,
    pub cheek_squint: f32,
    pub brow_inner_up: f32,
    pub brow_outer_up: f32,
    pub brow_down: f32,
    /// +pitch tilts the face up.
    pub head_pitch_rad: f32,
    pub head_roll_rad: f32,
    /// How much of the resting smile to hide (a concerned face does not smile).
    pub rest_smile_off: f32,
}

impl ExpressionSample {
    fn add_scaled(&mut self, other: &ExpressionSample, s: f32) {
        self.smile += other.smile * s;
        self.frown += other.frown * s;
        self.cheek_squint += other.cheek_squint * s;
        self.brow_inner_up += other.brow_inner_up * s;
        self.brow_outer_up += other.brow_outer_up * s;
        self.brow_down += other.brow_down * s;
        self.head_pitch_rad += other.head_pitch_rad * s;
        self.head_roll_rad += other.head_roll_rad * s;
        self.rest_smile_off += other.rest_smile_off * s;
    }

    /// How far the mouth's shape lets a smile or frown show: lips pressed
    /// (p b m, f v) or rounded (o, u, ch, r) cannot also spread into a
    /// smile, so the expression yields to the viseme there and comes back on
    /// open and spread vowels ("aa", "E", "I") where both fit.
    pub fn mouth_room(visemes: &[f32; Viseme::COUNT]) -> f32 {
        let v = |x: Viseme| visemes[x as usize];
        let busy = v(Viseme::PP)
            + v(Viseme::FF)
            + v(Viseme::O)
            + v(Viseme::U)
            + 0.6 * (v(Viseme::CH) + v(Viseme::RR));
        1.0 - 0.8 * busy.clamp(0.0, 1.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    start: SampleTime,
    end: SampleTime,
    expression: FacialExpression,
}

/// Expressions placed on the audio clock, sentence by sentence.
#[derive(Debug, Clone)]
pub struct ExpressionTrack {
    attack_secs: f64,
    release_secs: f64,
    strength: f32,
    spans: Vec<Span>,
}

impl ExpressionTrack {
    pub fn new(attack: SampleTime, release: SampleTime, strength: f32) -> Self {
        ExpressionTrack {
            attack_secs: attack.as_secs_f64().max(1e-3),
            release_secs: release.as_secs_f64().max(1e-3),
            strength: strength.clamp(0.0, 1.5),
            spans: Vec::new(),
        }
    }

    /// Wear `expression` from `start` to `end`; it fades in over the attack
    /// after `start` and out over the release after `end`. A span that
    /// continues the previous one's expression with a short gap (the pause
    /// between two sentences) extends it, so the face does not dip between
    /// sentences.
    pub fn push(&mut self, start: SampleTime, end: SampleTime, expression: FacialExpression) {
        if end <= start || expression == FacialExpression::Neutral {
            return;
        }
        let bridge = SampleTime::from_secs_f64(self.attack_secs + self.release_secs);
        if let Some(last) = self.spans.last_mut()
            && last.expression == expression
            && start >= last.start
            && start <= last.end + bridge
        {
            last.end = last.end.max(end);
            return;
        }
        self.spans.push(Span {
            start,
            end,
            expression,
        });
    }

    /// Drop what is not yet shown at `t` (barge-in): spans starting after
    /// `t` go, running ones end at `t` and fade out from there.
    pub fn stop_at(&mut self, t: SampleTime) {
        self.spans.retain(|s| s.start < t);
        for s in &mut self.spans {
            s.end = s.end.min(t);
        }
    }

    /// Forget spans whose fade-out ended before `t`.
    pub fn retire_before(&mut self, t: SampleTime) {
        let release = SampleTime::from_secs_f64(self.release_secs);
        self.spans.retain(|s| s.end + release > t);
    }

    pub fn sample(&self, t: SampleTime) -> ExpressionSample {
        let secs = t.0 as f64 / f64::from(SAMPLE_RATE_HZ);
        let mut weights = [0.0f32; FacialExpression::ALL.len()];
        for s in &self.spans {
            let start = s.start.0 as f64 / f64::from(SAMPLE_RATE_HZ);
            let end = s.end.0 as f64 / f64::from(SAMPLE_RATE_HZ);
            let attack = smoothstep((secs - start) / self.attack_secs);
            let release = 1.0 - smoothstep((secs - end) / self.release_secs);
            let w = (attack * release) as f32;
            let slot = &mut weights[s.expression as usize];
            *slot = slot.max(w);
        }
        let mut out = ExpressionSample::default();
        for (e, w) in FacialExpression::ALL.iter().zip(weights) {
            if w > 0.0 {
                out.add_scaled(&e.target(), w * self.strength);
            }
        }
        out.rest_smile_off = out.rest_smile_off.min(1.0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SampleTime {
        SampleTime::from_millis(v)
    }

    #[test]
    fn fades_in_and_out_over_300_ms() {
        let mut track = ExpressionTrack::new(ms(300), ms(300), 1.0);
        track.push(ms(1000), ms(3000), FacialExpression::Smile);
        let full = FacialExpression::Smile.target().smile;
        assert_eq!(track.sample(ms(999)).smile, 0.0);
        let mid = track.sample(ms(1150)).smile;
        assert!((mid - full / 2.0).abs() < 0.01, "{mid}");
        assert!((track.sample(ms(1300)).smile - full).abs() < 1e-6);
        assert!((track.sample(ms(3000)).smile - full).abs() < 1e-6);
        assert!(track.sample(ms(3150)).smile < full * 0.6);
        assert_eq!(track.sample(ms(3300)).smile, 0.0);
    }

    #[test]
    fn consecutive_sentences_with_one_expression_do_not_dip() {
        let mut track = ExpressionTrack::new(ms(300), ms(300), 1.0);
        track.push(ms(0), ms(2000), FacialExpression::Concerned);
        track.push(ms(2200), ms(4000), FacialExpression::Concerned);
        let full = FacialExpression::Concerned.target().brow_inner_up;
        for i in 30..400 {
            let b = track.sample(ms(i * 10)).brow_inner_up;
            assert!((b - full).abs() < 1e-6, "dip at {} ms: {b}", i * 10);
        }
    }

    #[test]
    fn a_change_of_expression_cross_fades() {
        let mut track = ExpressionTrack::new(ms(300), ms(300), 1.0);
        track.push(ms(0), ms(1000), FacialExpression::Happy);
        track.push(ms(1000), ms(2000), FacialExpression::Concerned);
        let mut prev = track.sample(ms(0));
        for i in 1..250 {
            let s = track.sample(ms(i * 10));
            assert!(
                (s.smile - prev.smile).abs() < 0.05,
                "smile pops at {}",
                i * 10
            );
            assert!((s.brow_inner_up - prev.brow_inner_up).abs() < 0.05);
            prev = s;
        }
        let later = track.sample(ms(1500));
        assert_eq!(later.smile, 0.0);
        assert!(later.frown > 0.2 && later.rest_smile_off == 1.0);
    }

    #[test]
    fn stop_fades_out_from_the_cut() {
        let mut track = ExpressionTrack::new(ms(300), ms(300), 1.0);
        track.push(ms(0), ms(5000), FacialExpression::Surprised);
        track.push(ms(5000), ms(8000), FacialExpression::Smile);
        track.stop_at(ms(2000));
        assert!(track.sample(ms(2000)).brow_outer_up > 0.7);
        assert_eq!(track.sample(ms(2300)).brow_outer_up, 0.0);
        assert_eq!(track.sample(ms(6000)).smile, 0.0);
    }

    #[test]
    fn smile_yields_to_closed_and_rounded_lips_only() {
        let mut v = [0.0; Viseme::COUNT];
        v[Viseme::Aa as usize] = 1.0;
        assert_eq!(ExpressionSample::mouth_room(&v), 1.0);
        v = [0.0; Viseme::COUNT];
        v[Viseme::PP as usize] = 1.0;
        assert!(ExpressionSample::mouth_room(&v) < 0.25);
        assert_eq!(
            FacialExpression::from_tag("Sorry"),
            Some(FacialExpression::Apologetic)
        );
    }
}
