//! The file sink's driver: text or recorded speech in, MP4 (and optional
//! PNG frames) out.
//! The same [`Performer`] and renderer the live stream uses; here the clock
//! simply advances one frame at a time as fast as the machine allows, and
//! frames render on [`RenderLanes`] (two devices on a CPU adapter).

use std::path::PathBuf;
use std::sync::Arc;

use crate::animation::AnimationParams;
use crate::avatar::Avatar;
use crate::clock::{FrameRate, SampleTime};
use crate::encode::AudioCodec;
use crate::render::{Background, Camera, RenderLanes, RenderSettings, RenderedFrame};
use crate::sink::{Mp4Settings, Mp4Writer};
use crate::speech::{Lang, Speech, SpeechRequest, Utterance};
use crate::visemes::VisemeTimeline;
use crate::visemes::audio::VisemeModel;
use crate::visemes::external::ExternalVisemes;

use super::{EngineError, Performer, PerformerSettings};

/// Recorded speech to perform instead of text: `avatarcast render --audio`.
#[derive(Debug, Clone)]
pub struct AudioInput {
    /// Mono 48 kHz PCM (see [`read_wav`](super::read_wav)).
    pub pcm: Vec<f32>,
    /// Visemes that came with the audio (time 0 = its first sample); `None`
    /// lip-syncs from the sound with the audio-only estimator.
    pub visemes: Option<ExternalVisemes>,
}

/// How far a viseme file may run past the end of its audio: formats that
/// give only onsets make the last viseme last 100 ms, and TTS engines pad a
/// little. More than this means the file belongs to other audio.
pub const VISEME_OVERRUN_TOLERANCE: SampleTime = SampleTime(48_000 / 4);

/// Everything one `avatarcast render` needs, already resolved.
pub struct FileJob {
    /// What to say (ignored when `audio` is set).
    pub text: String,
    pub lang: Lang,
    pub voice: Option<String>,
    pub avatar: Arc<Avatar>,
    pub width: u32,
    pub height: u32,
    pub fps: FrameRate,
    pub background: Background,
    pub msaa_samples: u32,
    pub out: PathBuf,
    pub audio_codec: AudioCodec,
    pub png_frames: Option<PathBuf>,
    pub seed: u64,
    /// How the face moves (lead, blending, blinks, idle motion).
    pub animation: AnimationParams,
    /// Silence before the first word and after the last: the avatar is seen
    /// at rest, and players that start late do not cut the first syllable.
    pub lead_in: SampleTime,
    pub tail: SampleTime,
    /// Speak this recording instead of `text`; the video is the lead-in,
    /// the whole recording, then the tail, with the recording's sample 0 at
    /// `lead_in` exactly.
    pub audio: Option<AudioInput>,
}

impl FileJob {
    pub const DEFAULT_LEAD_IN: SampleTime = SampleTime(48_000 * 2 / 5);
    pub const DEFAULT_TAIL: SampleTime = SampleTime(48_000 / 2);
}

/// What was written.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub frames: u64,
    pub duration: SampleTime,
    pub speech_start: SampleTime,
    pub speech_end: SampleTime,
    pub adapter: String,
    /// Render lanes (devices) in use at the end, see [`RenderLanes`].
    pub render_lanes: usize,
}

/// Progress callback: `(frames_done, frames_total)`.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Renders `job` into an MP4 (and PNGs when asked).
pub fn render_file(
    job: &FileJob,
    speech: Arc<dyn Speech>,
    progress: Progress<'_>,
) -> Result<FileSummary, EngineError> {
    let mut performer = Performer::new(
        &job.avatar,
        speech,
        &PerformerSettings {
            seed: job.seed,
            animation: job.animation.clone(),
        },
    )?;
    let speech_end = match &job.audio {
        Some(audio) => schedule_audio(&mut performer, audio, job.lang, job.lead_in)?,
        None => schedule_text(&mut performer, job)?,
    };
    let duration = speech_end + job.tail;

    let mut lanes = RenderLanes::new(
        RenderSettings {
            width: job.width,
            height: job.height,
            msaa_samples: job.msaa_samples,
            background: job.background.clone(),
        },
        Arc::clone(&job.avatar),
    )?;
    let camera = Camera::portrait(
        &job.avatar.framing(),
        job.width as f32 / job.height as f32,
        0.0,
    );

    if let Some(dir) = &job.png_frames {
        std::fs::create_dir_all(dir).map_err(|source| EngineError::Write {
            what: "the PNG frame folder",
            path: dir.clone(),
            source,
        })?;
    }
    let mut mp4 = Mp4Writer::create(
        &job.out,
        Mp4Settings {
            width: job.width,
            height: job.height,
            fps: job.fps,
            video_bitrate_bps: video_bitrate_bps(job.width, job.height, job.fps),
            audio_codec: job.audio_codec,
            audio_bitrate_bps: 96_000,
        },
    )?;

    let frames = job.fps.frames_covering(duration);
    let mut sink = FrameSink {
        mp4: &mut mp4,
        png_dir: job.png_frames.as_ref(),
        fps: job.fps,
        duration,
        audio: Vec::new(),
    };
    for index in 0..frames {
        let t = job.fps.frame_time(index);
        let pose = performer.pose_at(t);
        lanes.submit(pose, &camera, index)?;
        // Rendering frame n overlaps with reading back and encoding the
        // frames before it, on every lane.
        while lanes.in_flight() >= lanes.depth() {
            let Some(frame) = lanes.next_frame()? else {
                break;
            };
            sink.write(&frame, &mut performer)?;
            progress(frame.tag + 1, frames);
        }
    }
    while let Some(frame) = lanes.next_frame()? {
        sink.write(&frame, &mut performer)?;
        progress(frame.tag + 1, frames);
    }
    mp4.finish()?;
    Ok(FileSummary {
        frames,
        duration,
        speech_start: job.lead_in,
        speech_end,
        adapter: lanes.adapter_description(),
        render_lanes: lanes.lane_count(),
    })
}

/// Speaks `job.text` from `job.lead_in`; returns where the speech ends.
fn schedule_text(performer: &mut Performer, job: &FileJob) -> Result<SampleTime, EngineError> {
    // Long scripts are spoken sentence by sentence, back to back: espeak's
    // memory stays bounded and a bad sentence names itself in the error.
    let mut speech_end = job.lead_in;
    for sentence in super::script::split_sentences(&job.text) {
        let request = SpeechRequest {
            text: sentence.to_string(),
            lang: job.lang,
            voice: job.voice.clone(),
        };
        speech_end = performer.say(&request, speech_end)?.end();
    }
    if speech_end == job.lead_in {
        return Err(EngineError::Speech(crate::speech::SpeechError::EmptyText));
    }
    Ok(speech_end)
}

/// Schedules a recording at `start` with its visemes: from the file that
/// came with it, else estimated from the sound (the model must be there:
/// a file render does not silently fall back to a flapping jaw).
fn schedule_audio(
    performer: &mut Performer,
    audio: &AudioInput,
    lang: Lang,
    start: SampleTime,
) -> Result<SampleTime, EngineError> {
    if audio.pcm.is_empty() {
        return Err(EngineError::Input(
            "the audio has no samples; give a recording with speech in it".into(),
        ));
    }
    let utterance = Utterance {
        pcm: audio.pcm.clone(),
        phonemes: Vec::new(),
        lang,
        voice: "recording".into(),
    };
    let duration = utterance.duration();
    let visemes_end = match &audio.visemes {
        Some(ExternalVisemes::Timeline(t)) => t.end(),
        Some(ExternalVisemes::Arkit(track)) => track.duration(),
        None => SampleTime::ZERO,
    };
    if visemes_end > duration + VISEME_OVERRUN_TOLERANCE {
        return Err(EngineError::Input(format!(
            "the viseme file runs to {:.2} s but the audio lasts {:.2} s; give the visemes that \
             belong to this audio",
            visemes_end.as_secs_f64(),
            duration.as_secs_f64()
        )));
    }
    let scheduled = match &audio.visemes {
        Some(ExternalVisemes::Timeline(timeline)) => {
            performer.schedule_with_timeline(utterance, trim(timeline, duration), start)
        }
        Some(ExternalVisemes::Arkit(track)) => {
            performer.schedule_with_arkit(utterance, track.clone(), start)
        }
        None => {
            performer.set_audio_model(std::sync::Arc::new(VisemeModel::load_default()?));
            performer.schedule(utterance, start)
        }
    };
    Ok(scheduled.end())
}

/// The timeline cut at `end` (cues past it dropped or shortened).
fn trim(timeline: &VisemeTimeline, end: SampleTime) -> VisemeTimeline {
    VisemeTimeline {
        cues: timeline
            .cues
            .iter()
            .filter(|c| c.start < end)
            .map(|c| crate::visemes::VisemeCue {
                end: c.end.min(end),
                ..*c
            })
            .collect(),
    }
}

/// Writes each finished frame, and the audio it shows, in order: the muxer
/// interleaves as it goes instead of holding the whole video for the audio.
struct FrameSink<'a> {
    mp4: &'a mut Mp4Writer,
    png_dir: Option<&'a PathBuf>,
    fps: FrameRate,
    duration: SampleTime,
    audio: Vec<f32>,
}

impl FrameSink<'_> {
    fn write(
        &mut self,
        frame: &RenderedFrame,
        performer: &mut Performer,
    ) -> Result<(), EngineError> {
        self.mp4.write_video_frame(frame.tag, &frame.rgba)?;
        let from = self.fps.frame_time(frame.tag);
        let to = self.fps.frame_time(frame.tag + 1).min(self.duration);
        self.audio.resize(to.0.saturating_sub(from.0) as usize, 0.0);
        performer.mix_audio(from, &mut self.audio);
        self.mp4.write_audio(&self.audio)?;
        performer.retire_before(from);
        if let Some(dir) = self.png_dir {
            let path = dir.join(format!("frame_{:05}.png", frame.tag));
            image::save_buffer(
                &path,
                &frame.rgba,
                frame.width,
                frame.height,
                image::ExtendedColorType::Rgba8,
            )
            .map_err(|e| EngineError::Write {
                what: "a PNG frame",
                path: path.clone(),
                source: std::io::Error::other(e),
            })?;
        }
        Ok(())
    }
}

/// A bitrate that keeps a talking head crisp: ~0.1 bits per pixel per frame,
/// at least 600 kbit/s.
fn video_bitrate_bps(width: u32, height: u32, fps: FrameRate) -> u32 {
    let bits = f64::from(width) * f64::from(height) * fps.fps() * 0.1;
    bits.clamp(600_000.0, 8_000_000.0) as u32
}
