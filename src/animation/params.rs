//! Tuning knobs of the animation stage, with the reasons for their defaults.

use crate::clock::SampleTime;

/// How the face moves. `Default` is tuned for a calm customer-service agent
/// at 25–60 fps.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimationParams {
    /// The frame stamped `t` shows the mouth at `t + lead`. BT.1359: viewers
    /// notice audio leading video at ~45 ms but lagging only at ~125 ms, and
    /// lips move before the sound they shape, so we err towards early mouths.
    pub lead: SampleTime,
    /// Cross-fade into a viseme, centred on its start.
    pub attack: SampleTime,
    /// Cross-fade out of a viseme, centred on its end.
    pub release: SampleTime,
    /// Shorter phonemes are held this long, so a 20 ms flap still registers
    /// and fast speech does not flicker.
    pub min_hold: SampleTime,
    /// How open the mouth stays through consonants made with the tongue
    /// alone (t d n l k g), as a fraction of the neighbouring vowel, and how
    /// far sibilants, `r` and `th` (partly visible) shape the lips, halfway
    /// between this and 1. The lips barely move for these, so the vowels
    /// keep the mouth (Cohen–Massaro dominance, JALI's lip/jaw split); at 1
    /// the mouth would switch shape on every phoneme, ~12 times a second in
    /// English, which reads as jitter.
    pub tongue_consonant_weight: f32,
    /// Fastest change of any viseme weight, per second. 15/s is 0.5 per
    /// frame at 30 fps: quick enough for a bilabial closure in two frames,
    /// slow enough to never pop.
    pub max_viseme_speed_per_sec: f32,
    /// Jaw opening at the quietest speech, as a fraction of full; loud
    /// syllables open to 1.0.
    pub jaw_floor: f32,
    /// After `stop_speech_at(t)` the mouth closes over this span (two frames at 30 fps).
    pub stop_fade: SampleTime,
    /// Mean blink rate; people blink 10–20 times a minute at rest.
    pub blinks_per_min: f32,
    /// Duration of one blink from lid start to lid open (~150 ms).
    pub blink_duration: SampleTime,
    /// Largest gaze excursion from the viewer, radians (saccades stay small:
    /// the agent keeps looking at you).
    pub gaze_range_rad: f32,
    /// Idle head sway amplitude, radians; speaking doubles it.
    pub head_sway_rad: f32,
    /// Breaths per minute (adults at rest: 12–20).
    pub breaths_per_min: f32,
    /// Chest rotation at the top of a breath, radians.
    pub breath_depth_rad: f32,
    /// Brow raise on the loudest syllables, 0..=1.
    pub emphasis_brow: f32,
    /// A friendly resting smile, 0..=1.
    pub rest_smile: f32,
    /// An expression (smile, concerned, ...) fades in over this span from its
    /// sentence's start; ~300 ms reads as a reaction, not a switch.
    pub expression_attack: SampleTime,
    /// ... and fades out over this span after its sentence ends.
    pub expression_release: SampleTime,
    /// Scale of every expression, 0..=1.5: 1 is the tuned look, 0 a poker face.
    pub expression_strength: f32,
    /// Cross-fade between presence states (idle, listening, thinking,
    /// speaking), so a state change never pops.
    pub presence_fade: SampleTime,
}

impl Default for AnimationParams {
    fn default() -> Self {
        AnimationParams {
            lead: SampleTime::from_millis(30),
            attack: SampleTime::from_millis(60),
            release: SampleTime::from_millis(70),
            min_hold: SampleTime::from_millis(70),
            tongue_consonant_weight: 0.75,
            max_viseme_speed_per_sec: 15.0,
            jaw_floor: 0.55,
            // Two frames at 30 fps: 2 × 1600 samples.
            stop_fade: SampleTime(3200),
            blinks_per_min: 15.0,
            blink_duration: SampleTime::from_millis(150),
            gaze_range_rad: 0.06,
            head_sway_rad: 0.025,
            breaths_per_min: 15.0,
            breath_depth_rad: 0.012,
            emphasis_brow: 0.35,
            rest_smile: 0.12,
            expression_attack: SampleTime::from_millis(300),
            expression_release: SampleTime::from_millis(300),
            expression_strength: 1.0,
            presence_fade: SampleTime::from_millis(400),
        }
    }
}
