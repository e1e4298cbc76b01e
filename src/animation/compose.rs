//! Layering: speech, presence state, expression and idle life into one
//! [`FacePose`]. Each layer adds small offsets; the mouth belongs to speech
//! and the expression only takes the room the viseme leaves it.

use glam::{EulerRot, Quat, Vec2};

use super::expression::ExpressionSample;
use super::idle::BodyPose;
use super::presence::PresenceSample;
use super::viseme_track::TrackSample;
use super::{AnimationParams, FacePose};

/// Everything sampled for one instant, before layering.
pub(super) struct Layers {
    pub speech: TrackSample,
    pub presence: PresenceSample,
    pub expression: ExpressionSample,
    /// Slot and saccade blinks.
    pub blink: f32,
    /// Idle glances (yaw, pitch) in radians.
    pub glance: Vec2,
    pub body: BodyPose,
}

pub(super) fn compose(params: &AnimationParams, l: &Layers) -> FacePose {
    let (speech, presence, expr) = (&l.speech, &l.presence, &l.expression);
    let room = ExpressionSample::mouth_room(&speech.visemes);
    let rest_smile =
        params.rest_smile * (1.0 - 0.5 * speech.speaking) * (1.0 - expr.rest_smile_off);
    let blink = l.blink.max(presence.blink);
    // Emphasis lifts the brows; a frowning expression keeps some of its
    // knit under it rather than snapping flat on every loud syllable.
    let brow_down = (expr.brow_down + presence.brow_down) * (1.0 - 0.5 * speech.emphasis);
    let offset = |share: f32| {
        Quat::from_euler(
            EulerRot::YXZ,
            presence.head_yaw_rad * share,
            -(presence.head_pitch_rad + expr.head_pitch_rad) * share,
            (presence.head_roll_rad + expr.head_roll_rad) * share,
        )
    };
    FacePose {
        visemes: speech.visemes,
        eye_blink_left: blink,
        eye_blink_right: blink,
        brow_inner_up: unit(speech.emphasis + expr.brow_inner_up + presence.brow_inner_up),
        brow_outer_up: unit(0.6 * speech.emphasis + expr.brow_outer_up + presence.brow_outer_up),
        brow_down: unit(brow_down),
        mouth_smile: unit((rest_smile + expr.smile) * room),
        mouth_frown: unit(expr.frown * (0.5 + 0.5 * room)),
        cheek_squint: unit(0.3 * rest_smile + expr.cheek_squint),
        gaze: l.glance * presence.glance_share + presence.gaze,
        // The head carries 70 % of the state's and expression's turn, the neck the rest.
        head: (l.body.head * offset(0.7)).normalize(),
        neck: (l.body.neck * offset(0.3)).normalize(),
        chest: l.body.chest,
    }
}

fn unit(x: f32) -> f32 {
    x.clamp(0.0, 1.0)
}
