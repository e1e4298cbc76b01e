//! The embedded espeak-ng backend (GPL-3.0-or-later library; see the crate's
//! `espeak` feature).

mod ffi;
mod worker;

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::clock::SAMPLE_RATE_HZ;
use crate::speech::resample::{Resampler, i16_to_f32};
use crate::speech::text::{clean_text, has_speakable};
use crate::speech::{
    Lang, PhonemeEvent, Speech, SpeechError, SpeechRequest, Utterance, chinese_to_pinyin,
};

/// Voice options of an [`EspeakSpeech`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EspeakOptions {
    /// Words per minute, 80..=450; espeak's default is 175.
    pub rate_wpm: Option<u32>,
    /// Base pitch 0..=100; 50 is the voice's own.
    pub pitch: Option<u32>,
    /// A voice variant added to the default voices when a request names no
    /// voice, e.g. `f3` (a woman's voice) gives `en-us+f3`.
    pub variant: Option<String>,
}

/// Speech from libespeak-ng, linked in-process.
///
/// Cheap to create and clone: every instance shares one engine thread,
/// started by the first `synthesize`.
///
/// ```no_run
/// use avatarcast::speech::{EspeakSpeech, Lang, Speech, SpeechRequest};
/// let tts = EspeakSpeech::new().female();
/// let utt = tts.synthesize(&SpeechRequest::new("Hello!", Lang::En))?;
/// assert!(utt.duration_secs() > 0.2);
/// # Ok::<(), avatarcast::speech::SpeechError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct EspeakSpeech {
    options: EspeakOptions,
}

/// The variant we use for the default (woman) role.
pub const FEMALE_VARIANT: &str = "f3";

impl EspeakSpeech {
    pub fn new() -> Self {
        EspeakSpeech::default()
    }

    pub fn with_options(options: EspeakOptions) -> Self {
        EspeakSpeech { options }
    }

    /// The same backend with a woman's voice variant on the default voices.
    pub fn female(mut self) -> Self {
        self.options.variant = Some(FEMALE_VARIANT.to_string());
        self
    }

    pub fn options(&self) -> &EspeakOptions {
        &self.options
    }

    /// The voice used for `lang` when a request names none.
    pub fn default_voice(&self, lang: Lang) -> String {
        let base = match lang {
            Lang::En => "en-us",
            // `cmn` reads hanzi badly in espeak-ng 1.51; this voice reads pinyin well.
            Lang::Zh => "cmn-latn-pinyin",
        };
        match &self.options.variant {
            Some(v) if !v.is_empty() => format!("{base}+{v}"),
            _ => base.to_string(),
        }
    }

    /// The IPA phonemes of `text` spoken by `voice` (e.g. `en-us`), clause by
    /// clause, each with the punctuation that ended it. For phoneme-driven
    /// neural voices (Piper); runs on the shared engine thread.
    pub fn ipa_clauses(
        &self,
        text: &str,
        voice: &str,
    ) -> Result<Vec<(String, Option<char>)>, SpeechError> {
        let text = clean_text(text).ok_or(SpeechError::EmptyText)?;
        worker::text_to_ipa(text, voice.to_string())
    }

    /// Installed voices as `language (name)`, e.g. `en-us (English (America))`.
    pub fn voices(&self) -> Result<Vec<String>, SpeechError> {
        worker::list_voices()
    }
}

impl Speech for EspeakSpeech {
    fn synthesize(&self, req: &SpeechRequest) -> Result<Utterance, SpeechError> {
        let voice = match &req.voice {
            Some(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => self.default_voice(req.lang),
        };
        let text = clean_text(&req.text).ok_or(SpeechError::EmptyText)?;
        // Mandarin goes to the pinyin voice as pinyin; any other voice gets the text as is.
        let text = if req.lang == Lang::Zh && voice.starts_with("cmn-latn-pinyin") {
            chinese_to_pinyin(&text)
        } else {
            text
        };
        if !has_speakable(&text) {
            return Err(SpeechError::EmptyText);
        }
        let raw = worker::synthesize(worker::SynthJob {
            text,
            voice: voice.clone(),
            rate_wpm: self.options.rate_wpm,
            pitch: self.options.pitch,
        })?;
        Ok(assemble(raw, req.lang, voice))
    }

    fn name(&self) -> &str {
        "espeak-ng"
    }
}

/// The resampler for the engine's rate. espeak-ng always speaks at 22 050 Hz,
/// so that one is built once and shared; any other rate gets its own.
fn resampler(from_hz: u32) -> Cow<'static, Resampler> {
    static COMMON: OnceLock<Resampler> = OnceLock::new();
    if from_hz == 22_050 {
        Cow::Borrowed(COMMON.get_or_init(|| Resampler::new(22_050, SAMPLE_RATE_HZ)))
    } else {
        Cow::Owned(Resampler::new(from_hz, SAMPLE_RATE_HZ))
    }
}

/// Raw engine output → an [`Utterance`] on the 48 kHz clock.
fn assemble(raw: worker::RawSpeech, lang: Lang, voice: String) -> Utterance {
    let resampler = resampler(raw.sample_rate_hz);
    let pcm = resampler.process(&i16_to_f32(&raw.samples));
    let phonemes = phoneme_spans(&raw.events, raw.samples.len() as u64, &resampler, &pcm);
    Utterance {
        pcm,
        phonemes,
        lang,
        voice,
    }
}

/// Pause mnemonic used for silence we add at the edges.
const PAUSE: &str = "_";
/// Below this absolute amplitude a sample counts as silence.
const SILENCE_LEVEL: f32 = 0.002;

/// Turns phoneme onsets into contiguous spans covering the whole PCM: each
/// phoneme lasts until the next begins. Leading audio before the first
/// phoneme and a silent tail after the last sound become pauses, so lip sync
/// rests the mouth there.
fn phoneme_spans(
    events: &[(String, u64)],
    input_len: u64,
    resampler: &Resampler,
    pcm: &[f32],
) -> Vec<PhonemeEvent> {
    let out_len = pcm.len() as u64;
    let mut onsets: Vec<(&str, u64)> = Vec::with_capacity(events.len() + 2);
    let mut last = 0u64;
    for (name, sample) in events {
        // Clamp into the audio and keep the order monotonic even if the engine
        // ever reports a position out of order.
        let at = resampler
            .map_position((*sample).min(input_len))
            .max(last)
            .min(out_len);
        last = at;
        onsets.push((name.as_str(), at));
    }
    if onsets.first().is_none_or(|(_, at)| *at > 0) {
        onsets.insert(0, (PAUSE, 0));
    }
    // A silent tail after the last phoneme's sound (release, clause pause).
    let audible_end = pcm
        .iter()
        .rposition(|s| s.abs() > SILENCE_LEVEL)
        .map_or(0, |i| i as u64 + 1);
    let tail_start = audible_end + u64::from(SAMPLE_RATE_HZ) / 50; // 20 ms of decay
    let last_is_pause = onsets.last().is_some_and(|(n, _)| n.starts_with('_'));
    if !last_is_pause && tail_start + u64::from(SAMPLE_RATE_HZ) / 33 < out_len {
        let last_onset = onsets.last().map_or(0, |(_, at)| *at);
        onsets.push((PAUSE, tail_start.max(last_onset)));
    }
    let mut spans = Vec::with_capacity(onsets.len());
    for (i, (name, start)) in onsets.iter().enumerate() {
        let end = onsets.get(i + 1).map_or(out_len, |(_, next)| *next);
        if end > *start {
            spans.push(PhonemeEvent {
                phoneme: (*name).to_string(),
                start: crate::clock::SampleTime(*start),
                end: crate::clock::SampleTime(end),
            });
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SampleTime;

    #[test]
    fn spans_cover_the_audio_and_times_scale_exactly() {
        let r = Resampler::new(22_050, 48_000);
        // 1 s of engine audio: sound from 2205 to 19845, silence after.
        let mut pcm = vec![0.0f32; 48_000];
        for s in &mut pcm[4800..43_200] {
            *s = 0.3;
        }
        let events = vec![
            ("h".to_string(), 2205),
            ("@".to_string(), 11_025),
            ("l".to_string(), 11_025),
        ];
        let spans = phoneme_spans(&events, 22_050, &r, &pcm);
        let names: Vec<&str> = spans.iter().map(|p| p.phoneme.as_str()).collect();
        // The zero-length `@` disappears; silence is added at both ends.
        assert_eq!(names, ["_", "h", "l", "_"]);
        assert_eq!(spans[0].start, SampleTime(0));
        assert_eq!(spans[1].start, SampleTime(4800)); // 2205 * 320 / 147 exactly
        assert_eq!(spans[2].start, SampleTime(24_000));
        assert_eq!(spans[3].start, SampleTime(43_200 + 960));
        assert_eq!(spans[3].end, SampleTime(48_000));
        for w in spans.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
    }

    #[test]
    fn out_of_order_and_out_of_range_events_are_clamped() {
        let r = Resampler::new(22_050, 48_000);
        let pcm = vec![0.1f32; 4800];
        let events = vec![
            ("a".to_string(), 1000),
            ("b".to_string(), 500),
            ("c".to_string(), 99_999),
        ];
        let spans = phoneme_spans(&events, 2205, &r, &pcm);
        for w in spans.windows(2) {
            assert!(w[0].start < w[1].start && w[0].end == w[1].start);
        }
        assert!(spans.iter().all(|p| p.end <= SampleTime(4800)));
        assert!(phoneme_spans(&[], 0, &r, &[]).is_empty());
    }
}
