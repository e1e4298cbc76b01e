//! Replay: the same seed and input give bit-identical frames through the
//! real engine (performer with speech, presence states and expressions,
//! wgpu renderer on lavapipe); another seed gives other idle frames. A
//! session can be replayed frame-exactly from its seed and its inputs.
//!
//! The input is an utterance synthesised once: espeak-ng itself is not
//! repeatable (its voicing noise and so its PCM and phoneme ends differ by a
//! few samples from run to run), so a replay replays the audio it logged.

mod common;

use sha2::{Digest, Sha256};

use avatarcast::animation::{FacialExpression, PresenceState};
use avatarcast::avatar::Avatar;
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::engine::{Performer, PerformerSettings};
use avatarcast::render::{Background, Camera, RenderError, RenderSettings, Renderer};
use avatarcast::speech::{self, Lang, SpeechRequest, Utterance};

/// Frames of a short scripted session: idle, listening, thinking, a
/// smiling sentence, idle again.
const FRAMES: [u64; 8] = [3, 20, 40, 55, 70, 85, 100, 130];

fn session_hashes(
    avatar: &Avatar,
    renderer: &mut Renderer,
    seed: u64,
    utterance: &Utterance,
) -> Vec<String> {
    let speech = speech::default_backend().expect("espeak-ng is installed by scripts/setup.sh");
    let mut performer = Performer::new(
        avatar,
        speech,
        &PerformerSettings {
            seed,
            ..PerformerSettings::default()
        },
    )
    .expect("the default avatar has mouth morphs");
    let ms = SampleTime::from_millis;
    performer.set_presence(ms(500), PresenceState::Listening);
    performer.set_presence(ms(1200), PresenceState::Thinking);
    let end = performer.schedule(utterance.clone(), ms(1800)).end();
    performer.set_presence(ms(1800), PresenceState::Speaking);
    performer.set_presence(end, PresenceState::Idle);
    performer.push_expression(ms(1800), end, FacialExpression::Smile);

    let mut gpu = renderer.upload(avatar).expect("upload");
    let camera = Camera::portrait(&avatar.framing(), 1.0, 0.0);
    let fps = FrameRate::new(30, 1);
    FRAMES
        .iter()
        .map(|&i| {
            let frame = renderer
                .render(&mut gpu, performer.pose_at(fps.frame_time(i)), &camera)
                .expect("render");
            format!("{:x}", Sha256::digest(&frame.rgba))
        })
        .collect()
}

#[test]
fn same_seed_same_frames_other_seed_other_idle_frames() {
    let Some(avatar_path) = common::default_roles().into_iter().next() else {
        common::require(false, "no built default avatar under avatars/");
        return;
    };
    let avatar = Avatar::load(&avatar_path).expect("default avatar loads");
    let settings = RenderSettings {
        width: 128,
        height: 128,
        msaa_samples: 1,
        background: Background::Color([223, 230, 238]),
    };
    let mut renderer = match Renderer::new(settings) {
        Ok(r) => r,
        Err(e @ RenderError::NoAdapter { .. }) => {
            common::require(false, &format!("a GPU adapter ({e})"));
            return;
        }
        Err(e) => panic!("Renderer::new failed: {e}"),
    };
    let utterance = speech::default_backend()
        .and_then(|s| s.synthesize(&SpeechRequest::new("Hello, how can I help?", Lang::En)))
        .expect("espeak-ng speaks English (scripts/setup.sh installs it)");
    let first = session_hashes(&avatar, &mut renderer, 42, &utterance);
    let second = session_hashes(&avatar, &mut renderer, 42, &utterance);
    for (i, h) in FRAMES.iter().zip(&first) {
        println!("seed 42 frame {i}: {h}");
    }
    assert_eq!(first, second, "same seed and input, same frames");
    // Frames differ from each other (the session moves) ...
    let mut distinct = first.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() >= FRAMES.len() - 1, "{first:?}");
    // ... and another seed sways, glances and blinks differently even at idle.
    let other = session_hashes(&avatar, &mut renderer, 43, &utterance);
    assert_ne!(first[0], other[0], "idle frame 3 should depend on the seed");
    let differing = first.iter().zip(&other).filter(|(a, b)| a != b).count();
    assert!(
        differing >= FRAMES.len() - 1,
        "{differing} of {} differ",
        FRAMES.len()
    );
}
