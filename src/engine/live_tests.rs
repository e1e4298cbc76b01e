//! The live driver without network or clock: the test is the clock.

use std::sync::Arc;

use super::*;
use crate::animation::{FacialExpression, PresenceState};
use crate::avatar::{Avatar, Mesh};
use crate::engine::PerformerSettings;
use crate::speech::{Lang, PhonemeEvent, Speech, SpeechError, SpeechRequest};
use crate::visemes::Viseme;

struct NoSpeech;

impl Speech for NoSpeech {
    fn synthesize(&self, _req: &SpeechRequest) -> Result<Utterance, SpeechError> {
        Err(SpeechError::NoBackend)
    }
    fn name(&self) -> &str {
        "none"
    }
}

/// One mesh with the Oculus visemes: enough for the pose mapper.
fn avatar() -> Avatar {
    let names: Vec<String> = Viseme::ALL
        .into_iter()
        .skip(1)
        .map(|v| v.morph_name())
        .collect();
    Avatar {
        name: "synthetic".into(),
        meshes: vec![Mesh {
            name: "head".into(),
            primitives: Vec::new(),
            default_weights: vec![0.0; names.len()],
            morph_names: names,
        }],
        ..Avatar::default()
    }
}

fn driver() -> (LiveDriver, Avatar) {
    let avatar = avatar();
    let performer = Performer::new(&avatar, Arc::new(NoSpeech), &PerformerSettings::default())
        .expect("synthetic avatar has visemes");
    (LiveDriver::new(performer, LiveSettings::default()), avatar)
}

/// `ms` of "aa" at amplitude 0.5: loud, open-mouthed speech.
fn utterance(ms: u64) -> Utterance {
    let len = SampleTime::from_millis(ms);
    Utterance {
        pcm: vec![0.5; len.0 as usize],
        phonemes: vec![PhonemeEvent {
            phoneme: "a".into(),
            start: SampleTime::ZERO,
            end: len,
        }],
        lang: Lang::En,
        voice: "test".into(),
    }
}

/// Advances in 20 ms steps to `ms`, collecting everything emitted.
fn run_to(d: &mut LiveDriver, ms: u64, out: &mut Vec<LiveOutput>) {
    let mut t = d.now();
    while t < SampleTime::from_millis(ms) {
        t = t + SampleTime(960);
        d.advance_to(t);
        while let Some(o) = d.poll_output() {
            out.push(o);
        }
    }
}

fn events(out: &[LiveOutput]) -> Vec<LiveEvent> {
    out.iter()
        .filter_map(|o| match o {
            LiveOutput::Event(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

fn mouth_open(d: &mut LiveDriver, t: SampleTime) -> f32 {
    let pose = d.pose_at(t);
    pose.morph_weights[0].iter().copied().fold(0.0, f32::max)
}

#[test]
fn idle_stream_is_continuous_audio_and_one_frame_per_40_ms() {
    let (mut d, _) = driver();
    let mut out = Vec::new();
    run_to(&mut d, 1000, &mut out);
    let audio: Vec<SampleTime> = out
        .iter()
        .filter_map(|o| match o {
            LiveOutput::Audio { start, pcm } => {
                assert_eq!(pcm.len(), 960);
                assert!(pcm.iter().all(|x| *x == 0.0), "idle is silent");
                Some(*start)
            }
            _ => None,
        })
        .collect();
    // Chunks are gapless from 0 and go out once elapsed.
    for (i, s) in audio.iter().enumerate() {
        assert_eq!(*s, SampleTime(960 * i as u64));
    }
    assert_eq!(audio.len(), 50);
    let frames: Vec<(u64, SampleTime)> = out
        .iter()
        .filter_map(|o| match o {
            LiveOutput::Frame { index, time } => Some((*index, *time)),
            _ => None,
        })
        .collect();
    assert_eq!(frames.len(), 26, "frames 0..=25 at 25 fps up to 1 s");
    for (i, (index, time)) in frames.iter().enumerate() {
        assert_eq!(*index, i as u64);
        assert_eq!(*time, SampleTime(1920 * i as u64));
    }
    assert!(events(&out).is_empty(), "no events while idle");
    assert!(d.next_wake() > d.now());
}

#[test]
fn sentences_queue_back_to_back_with_subtitles_on_the_utterance_clock() {
    let (mut d, _) = driver();
    let mut out = Vec::new();
    run_to(&mut d, 100, &mut out);
    let id = 7;
    d.begin_reply(id);
    let first = d
        .push_sentence(id, "Hello there.", utterance(500))
        .expect("queued");
    // Lead after the next unsent chunk: never in the past, never far ahead.
    assert!(first >= d.now() && first <= d.now() + SampleTime::from_millis(80));
    let second = d
        .push_sentence(id, "How can I help?", utterance(300))
        .expect("queued");
    assert_eq!(second, first + SampleTime::from_millis(500), "back to back");
    d.finish_reply(id);
    run_to(&mut d, 1500, &mut out);
    let ev = events(&out);
    assert_eq!(
        ev,
        vec![
            LiveEvent::State(LiveState::Thinking),
            LiveEvent::State(LiveState::Speaking),
            LiveEvent::Subtitle {
                utterance: id,
                text: "Hello there.".into(),
                start_ms: 0,
                end_ms: 500
            },
            LiveEvent::Subtitle {
                utterance: id,
                text: "How can I help?".into(),
                start_ms: 500,
                end_ms: 800
            },
            LiveEvent::SpeechEnd {
                utterance: id,
                heard_ms: 800,
                interrupted: false
            },
            LiveEvent::State(LiveState::Idle),
        ]
    );
    // The speech is in the audio exactly where it was scheduled.
    let loud: Vec<SampleTime> = out
        .iter()
        .filter_map(|o| match o {
            LiveOutput::Audio { start, pcm } if pcm.iter().any(|x| *x != 0.0) => Some(*start),
            _ => None,
        })
        .collect();
    let first_chunk = *loud.first().expect("speech was sent");
    assert!(first_chunk <= first && first < first_chunk + SampleTime(960));
    // The second subtitle is emitted with the chunk where its audio starts.
    let sub2 = out
        .iter()
        .position(|o| {
            matches!(
                o,
                LiveOutput::Event(LiveEvent::Subtitle { start_ms: 500, .. })
            )
        })
        .expect("second subtitle");
    let chunk_before = out[..sub2]
        .iter()
        .rev()
        .find_map(|o| match o {
            LiveOutput::Audio { start, .. } => Some(*start),
            _ => None,
        })
        .expect("a chunk precedes it");
    assert!(chunk_before <= second && second < chunk_before + SampleTime(1920));
}

#[test]
fn interrupt_cuts_audio_closes_the_mouth_within_two_frames_and_reports_heard() {
    let (mut d, _) = driver();
    let mut out = Vec::new();
    let id = 1;
    d.begin_reply(id);
    let start = d
        .push_sentence(id, "A long answer.", utterance(3000))
        .expect("queued");
    run_to(&mut d, 1000, &mut out);
    let t_mid = d.now();
    assert!(mouth_open(&mut d, t_mid) > 0.3, "speaking: mouth open");
    out.clear();
    d.interrupt();
    let ev = events(&{
        let mut v = Vec::new();
        while let Some(o) = d.poll_output() {
            v.push(o);
        }
        v
    });
    let LiveEvent::SpeechEnd {
        utterance: ended,
        heard_ms,
        interrupted,
    } = ev[0].clone()
    else {
        panic!("speech_end first: {ev:?}");
    };
    assert_eq!((ended, interrupted), (id, true));
    // Chunks go out once elapsed: at 1 s, audio up to 1 s was sent.
    let sent = SampleTime::from_millis(1000);
    let expected = sent.saturating_sub(start).as_millis();
    assert!(
        heard_ms.abs_diff(expected) <= 20,
        "{heard_ms} vs {expected}"
    );
    assert_eq!(ev[1], LiveEvent::State(LiveState::Idle));
    // Late sentences of the interrupted reply are ignored.
    assert!(d.push_sentence(id, "More.", utterance(500)).is_none());
    run_to(&mut d, 2000, &mut out);
    for o in &out {
        if let LiveOutput::Audio { pcm, .. } = o {
            assert!(
                pcm.iter().all(|x| *x == 0.0),
                "audio after the cut is silent"
            );
        }
    }
    // Two frames at 25 fps after the cut, the mouth is at rest.
    let rest = mouth_open(&mut d, sent + SampleTime(2 * 1920));
    assert!(
        rest < 0.02,
        "mouth at rest two frames after the cut: {rest}"
    );
    assert!(events(&out).is_empty(), "nothing more is said");
}

#[test]
fn a_new_question_interrupts_the_answer_and_an_empty_reply_ends_cleanly() {
    let (mut d, _) = driver();
    let mut out = Vec::new();
    let first = 1;
    d.begin_reply(first);
    d.push_sentence(first, "One.", utterance(2000));
    run_to(&mut d, 500, &mut out);
    out.clear();
    let second = 2;
    d.begin_reply(second);
    let mut polled = Vec::new();
    while let Some(o) = d.poll_output() {
        polled.push(o);
    }
    let ev = events(&polled);
    assert!(matches!(
        ev[0],
        LiveEvent::SpeechEnd { utterance, interrupted: true, .. } if utterance == first
    ));
    assert_eq!(ev.last(), Some(&LiveEvent::State(LiveState::Thinking)));
    // An empty reply (nothing to say) still ends cleanly.
    d.finish_reply(second);
    let mut polled = Vec::new();
    while let Some(o) = d.poll_output() {
        polled.push(o);
    }
    assert_eq!(
        events(&polled),
        vec![
            LiveEvent::SpeechEnd {
                utterance: second,
                heard_ms: 0,
                interrupted: false
            },
            LiveEvent::State(LiveState::Idle)
        ]
    );
    assert_eq!(d.current_reply(), None);
}

#[test]
fn typing_makes_the_avatar_listen_until_the_visitor_stops() {
    let (mut d, _) = driver();
    let mut out = Vec::new();
    run_to(&mut d, 200, &mut out);
    d.visitor_typing();
    run_to(&mut d, 1200, &mut out);
    d.visitor_typing(); // still typing: no second event, hold renewed
    run_to(&mut d, 2400, &mut out);
    assert_eq!(events(&out), vec![LiveEvent::State(LiveState::Listening)]);
    assert_eq!(
        d.presence_at(SampleTime::from_millis(2400)),
        PresenceState::Listening
    );
    // 2.5 s after the last signal the avatar is idle again.
    run_to(&mut d, 4000, &mut out);
    assert_eq!(
        events(&out),
        vec![
            LiveEvent::State(LiveState::Listening),
            LiveEvent::State(LiveState::Idle)
        ]
    );
    assert_eq!(
        d.presence_at(SampleTime::from_millis(4000)),
        PresenceState::Idle
    );
}

#[test]
fn a_question_moves_listening_to_thinking_to_speaking_to_idle() {
    let (mut d, _) = driver();
    let mut out = Vec::new();
    d.visitor_typing();
    run_to(&mut d, 500, &mut out);
    d.begin_reply(1);
    run_to(&mut d, 1000, &mut out);
    assert_eq!(d.presence_at(d.now()), PresenceState::Thinking);
    // Typing during a reply is not a barge-in and changes nothing.
    d.visitor_typing();
    let start = d
        .push_expressive_sentence(
            1,
            "Sorry.",
            utterance(1000),
            Some(FacialExpression::Apologetic),
        )
        .expect("queued");
    d.finish_reply(1);
    let mid = start + SampleTime::from_millis(500);
    run_to(&mut d, mid.as_millis(), &mut out);
    assert_eq!(d.presence_at(mid), PresenceState::Speaking);
    // The apologetic sentence raises the inner brows while it plays, and
    // the face lets go of it after.
    let face = d.performer.animator().sample(mid);
    assert!(face.brow_inner_up > 0.4, "{}", face.brow_inner_up);
    let after = d
        .performer
        .animator()
        .sample(start + SampleTime::from_millis(1800));
    assert!(after.brow_inner_up < 0.05, "{}", after.brow_inner_up);
    run_to(&mut d, 3000, &mut out);
    assert_eq!(
        events(&out)
            .into_iter()
            .filter(|e| matches!(e, LiveEvent::State(_)))
            .collect::<Vec<_>>(),
        vec![
            LiveEvent::State(LiveState::Listening),
            LiveEvent::State(LiveState::Thinking),
            LiveEvent::State(LiveState::Speaking),
            LiveEvent::State(LiveState::Idle),
        ]
    );
    assert_eq!(d.presence_at(d.now()), PresenceState::Idle);
}

#[test]
fn the_session_starts_with_a_greeting_clip_when_the_avatar_has_one() {
    use crate::avatar::{AnimationClip, ClipChannel, ClipProperty, Interpolation, Node};
    use glam::{Quat, Vec3};
    let quarter = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2);
    let mut avatar = avatar();
    avatar.nodes = vec![Node {
        name: "RightArm".into(),
        parent: None,
        children: Vec::new(),
        translation: Vec3::ZERO,
        rotation: Quat::IDENTITY,
        scale: Vec3::ONE,
        mesh: None,
        skin: None,
    }];
    avatar.animations = vec![AnimationClip {
        name: "Wave".into(),
        channels: vec![ClipChannel {
            node: 0,
            property: ClipProperty::Rotation,
            interpolation: Interpolation::Linear,
            times: vec![0.0, 1.0],
            values: [Quat::IDENTITY.to_array(), quarter.to_array()].concat(),
        }],
        duration_secs: 1.0,
    }];
    let performer = Performer::new(&avatar, Arc::new(NoSpeech), &PerformerSettings::default())
        .expect("synthetic avatar has visemes");
    let mut d = LiveDriver::new(performer, LiveSettings::default());
    assert!(d.greet(), "`wave` stands in for a greeting");
    let arm = |d: &mut LiveDriver, ms: u64| {
        d.pose_at(SampleTime::from_millis(ms))
            .node_rotations
            .iter()
            .find(|(n, _)| *n == 0)
            .map_or(Quat::IDENTITY, |(_, q)| *q)
    };
    let mid = arm(&mut d, 500);
    assert!(mid.angle_between(Quat::from_rotation_y(std::f32::consts::FRAC_PI_4)) < 0.01);
    assert!(
        arm(&mut d, 1500).angle_between(Quat::IDENTITY) < 0.01,
        "played once"
    );
}
