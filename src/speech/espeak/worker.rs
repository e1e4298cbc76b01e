//! The one thread that owns espeak-ng.
//!
//! libespeak-ng keeps its voice, parameters and buffers in globals and is not
//! thread-safe, so exactly one thread ever calls it. The thread starts on the
//! first request (a `OnceLock`), takes jobs from an mpsc queue and answers
//! each on the job's own reply channel, so any number of sessions can share
//! it. Synthesis is synchronous: `espeak_Synth` returns after the callback
//! has seen all audio and events, so per-request state can live on the
//! worker's stack and travel to the callback as `user_data`.

use std::ffi::{CStr, CString, c_int, c_short, c_void};
use std::ptr;
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, Sender};

use super::ffi;
use crate::speech::SpeechError;

/// Raw engine output of one request, at the engine's rate.
#[derive(Debug, Default)]
pub struct RawSpeech {
    pub sample_rate_hz: u32,
    pub samples: Vec<i16>,
    /// (phoneme mnemonic, sample index into `samples`) in emission order.
    pub events: Vec<(String, u64)>,
}

/// Synthesis parameters of one job.
#[derive(Debug, Clone)]
pub struct SynthJob {
    pub text: String,
    pub voice: String,
    pub rate_wpm: Option<u32>,
    pub pitch: Option<u32>,
}

/// One clause's IPA phonemes and the punctuation that ended it (`.`, `,`, `?`…).
pub type IpaClause = (String, Option<char>);

enum Job {
    Synth(SynthJob, Sender<Result<RawSpeech, SpeechError>>),
    Ipa(String, String, Sender<Result<Vec<IpaClause>, SpeechError>>),
    ListVoices(Sender<Vec<String>>),
}

static WORKER: OnceLock<Result<Sender<Job>, String>> = OnceLock::new();

fn worker() -> Result<&'static Sender<Job>, SpeechError> {
    WORKER
        .get_or_init(start_worker)
        .as_ref()
        .map_err(|reason| SpeechError::EngineInit {
            reason: reason.clone(),
        })
}

/// Synthesises on the shared worker and waits for the result.
pub fn synthesize(job: SynthJob) -> Result<RawSpeech, SpeechError> {
    let (reply, answer) = mpsc::channel();
    worker()?
        .send(Job::Synth(job, reply))
        .map_err(|_| SpeechError::EngineGone)?;
    answer.recv().map_err(|_| SpeechError::EngineGone)?
}

/// The IPA phonemes of `text` spoken by `voice`, clause by clause (for
/// neural voices that are driven by phonemes, like Piper's).
pub fn text_to_ipa(text: String, voice: String) -> Result<Vec<IpaClause>, SpeechError> {
    let (reply, answer) = mpsc::channel();
    worker()?
        .send(Job::Ipa(text, voice, reply))
        .map_err(|_| SpeechError::EngineGone)?;
    answer.recv().map_err(|_| SpeechError::EngineGone)?
}

/// All installed voices as `language (name)`, e.g. `en-us (English (America))`.
pub fn list_voices() -> Result<Vec<String>, SpeechError> {
    let (reply, answer) = mpsc::channel();
    worker()?
        .send(Job::ListVoices(reply))
        .map_err(|_| SpeechError::EngineGone)?;
    answer.recv().map_err(|_| SpeechError::EngineGone)
}

fn start_worker() -> Result<Sender<Job>, String> {
    let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<u32, String>>();
    std::thread::Builder::new()
        .name("espeak-ng".into())
        .spawn(move || {
            // SAFETY: this thread is the only caller of espeak-ng for the whole process.
            let rate = unsafe {
                ffi::espeak_Initialize(
                    ffi::AUDIO_OUTPUT_SYNCHRONOUS,
                    0,
                    ptr::null(),
                    ffi::INITIALIZE_PHONEME_EVENTS | ffi::INITIALIZE_DONT_EXIT,
                )
            };
            if rate <= 0 {
                let _ = ready_tx.send(Err(format!("espeak_Initialize returned {rate}")));
                return;
            }
            // SAFETY: `synth_callback` matches `t_espeak_callback` and never unwinds.
            unsafe { ffi::espeak_SetSynthCallback(synth_callback) };
            let _ = ready_tx.send(Ok(rate as u32));
            serve(rate as u32, jobs_rx);
        })
        .map_err(|e| format!("cannot start the espeak-ng thread: {e}"))?;
    match ready_rx.recv() {
        Ok(Ok(_)) => Ok(jobs_tx),
        Ok(Err(reason)) => Err(reason),
        Err(_) => Err("the espeak-ng thread exited during start-up".into()),
    }
}

fn serve(sample_rate_hz: u32, jobs: Receiver<Job>) {
    while let Ok(job) = jobs.recv() {
        match job {
            Job::Synth(job, reply) => {
                let result = run_synth(sample_rate_hz, &job);
                let _ = reply.send(result);
            }
            Job::Ipa(text, voice, reply) => {
                let result = select_voice(&voice).and_then(|()| run_ipa(&text));
                let _ = reply.send(result);
            }
            Job::ListVoices(reply) => {
                let _ = reply.send(installed_voices());
            }
        }
    }
}

fn run_synth(sample_rate_hz: u32, job: &SynthJob) -> Result<RawSpeech, SpeechError> {
    // The voice is set for every job (~1 ms) rather than cached: text in
    // other scripts makes espeak switch language mid-utterance, so "the
    // voice we selected last" is not reliably the one in effect.
    select_voice(&job.voice)?;
    // Set every time: a previous job may have changed them. 175 wpm and
    // pitch 50 are espeak's defaults (the voice file scales around them).
    let rate = job.rate_wpm.unwrap_or(175).clamp(80, 450) as c_int;
    let pitch = job.pitch.unwrap_or(50).min(100) as c_int;
    // SAFETY: owner thread.
    unsafe {
        ffi::espeak_SetParameter(ffi::PARAM_RATE, rate, 0);
        ffi::espeak_SetParameter(ffi::PARAM_PITCH, pitch, 0);
    }

    // Interior NULs were removed by `clean_text`; a CString error would be our bug,
    // but it is reported, not panicked on.
    let text = CString::new(job.text.as_str()).map_err(|_| SpeechError::Synthesis { code: -1 })?;
    let mut collected = RawSpeech {
        sample_rate_hz,
        ..RawSpeech::default()
    };
    // Output is not bit-identical between calls with the same text: some of
    // espeak's synthesis state (pitch flutter, and after odd text such as
    // spelled-out unknown characters, timing by up to ~5 %) carries over
    // between utterances, and neither re-selecting the voice nor
    // re-initialising resets it. Phoneme events always match the audio made.
    // SAFETY: synchronous mode: every callback for this text runs inside this
    // call, so the `collected` pointer handed over as user_data stays valid.
    let code = unsafe {
        ffi::espeak_Synth(
            text.as_ptr().cast(),
            text.as_bytes_with_nul().len(),
            0,
            ffi::POS_CHARACTER,
            0,
            ffi::CHARS_UTF8,
            ptr::null_mut(),
            (&mut collected as *mut RawSpeech).cast::<c_void>(),
        )
    };
    // SAFETY: owner thread.
    unsafe { ffi::espeak_Synchronize() };
    if code != ffi::EE_OK {
        return Err(SpeechError::Synthesis { code });
    }
    Ok(collected)
}

/// Selects `voice` (a voice name, or a language such as `en-gb`, with an
/// optional `+variant`) for the next calls. Owner thread only.
fn select_voice(voice: &str) -> Result<(), SpeechError> {
    let unknown = || SpeechError::UnknownVoice {
        voice: voice.to_string(),
        suggestions: suggest_voices(voice),
    };
    let name = CString::new(voice).map_err(|_| unknown())?;
    // SAFETY: owner thread; `name` outlives the call.
    let mut code = unsafe { ffi::espeak_SetVoiceByName(name.as_ptr()) };
    if code != ffi::EE_OK {
        // Like the espeak-ng command line: a name that is no voice file
        // (`en-gb` lives in `gmw/en`) is tried as a language. espeak
        // picks the closest language, so only known ones are passed.
        let (base, variant) = match voice.split_once('+') {
            Some((base, variant)) => (base, Some(variant)),
            None => (voice, None),
        };
        if let Some(identifier) = voice_for_language(base) {
            let by_file = match variant {
                Some(v) => format!("{identifier}+{v}"),
                None => identifier,
            };
            if let Ok(by_file) = CString::new(by_file) {
                // SAFETY: owner thread; `by_file` outlives the call.
                code = unsafe { ffi::espeak_SetVoiceByName(by_file.as_ptr()) };
            }
        }
    }
    if code != ffi::EE_OK {
        // espeak keeps the previous voice on failure.
        return Err(unknown());
    }
    Ok(())
}

/// espeak_TextToPhonemes returns one clause per call and advances the text
/// pointer past it, plus one character: it reads the next clause's first
/// character ahead (checked with espeak-ng 1.51, also for multi-byte
/// characters). The punctuation that ended a clause is the last character of
/// its own text, before closing quotes. Owner thread only.
fn run_ipa(text: &str) -> Result<Vec<IpaClause>, SpeechError> {
    let c_text = CString::new(text).map_err(|_| SpeechError::Synthesis { code: -1 })?;
    let bytes = c_text.as_bytes();
    let base = c_text.as_ptr() as usize;
    let mut cursor: *const c_void = c_text.as_ptr().cast();
    let mut clause_start = 0usize;
    let mut clauses = Vec::new();
    while !cursor.is_null() {
        let before = cursor as usize - base;
        // SAFETY: owner thread; `cursor` points into `c_text`, which is
        // NUL-terminated and outlives the call; espeak either advances it
        // within the string or sets it to NULL at the end.
        let out =
            unsafe { ffi::espeak_TextToPhonemes(&mut cursor, CHARS_UTF8_INT, ffi::PHONEMES_IPA) };
        let ipa = if out.is_null() {
            String::new()
        } else {
            // SAFETY: espeak returns a NUL-terminated string valid until the next call.
            unsafe { CStr::from_ptr(out) }
                .to_string_lossy()
                .into_owned()
        };
        let after = if cursor.is_null() {
            bytes.len()
        } else {
            (cursor as usize - base).min(bytes.len())
        };
        let mut own = String::from_utf8_lossy(&bytes[clause_start.min(after)..after]).into_owned();
        if !cursor.is_null() {
            // Give the look-ahead character back to the next clause.
            if let Some(c) = own.pop() {
                clause_start = after - c.len_utf8();
            }
        }
        let terminator = own
            .trim_end_matches(|c: char| c.is_whitespace() || "\"')]}”’»".contains(c))
            .chars()
            .last()
            .filter(|c| matches!(c, '.' | ',' | ';' | ':' | '!' | '?'));
        if !ipa.trim().is_empty() || terminator.is_some() {
            clauses.push((ipa.trim().to_string(), terminator));
        }
        if after <= before {
            // No progress: stop rather than loop forever on odd input.
            break;
        }
    }
    Ok(clauses)
}

/// `espeakCHARS_UTF8` as the `int` that espeak_TextToPhonemes takes.
const CHARS_UTF8_INT: c_int = ffi::CHARS_UTF8 as c_int;

/// Receives audio blocks and their events during `espeak_Synth`.
///
/// # Safety
/// Called by espeak-ng only, with `events` pointing to an array terminated by
/// an event of type 0 whose `user_data` is the `RawSpeech` of the running job.
unsafe extern "C" fn synth_callback(
    wav: *mut c_short,
    numsamples: c_int,
    events: *mut ffi::EspeakEvent,
) -> c_int {
    if events.is_null() {
        return 0;
    }
    // Find the collector: every event of the list, including the terminator,
    // carries the job's user_data.
    let mut collector: *mut RawSpeech = ptr::null_mut();
    let mut i = 0usize;
    loop {
        // SAFETY: the list is terminated by an event of type 0 (speak_lib.h).
        let ev = unsafe { &*events.add(i) };
        if !ev.user_data.is_null() {
            collector = ev.user_data.cast();
        }
        if ev.kind == ffi::EVENT_LIST_TERMINATED {
            break;
        }
        i += 1;
    }
    if collector.is_null() {
        return 0;
    }
    // SAFETY: user_data is the `&mut RawSpeech` passed to espeak_Synth, alive
    // for the duration of that synchronous call; nothing else references it now.
    let out = unsafe { &mut *collector };
    let mut i = 0usize;
    loop {
        // SAFETY: as above.
        let ev = unsafe { &*events.add(i) };
        if ev.kind == ffi::EVENT_LIST_TERMINATED {
            break;
        }
        if ev.kind == ffi::EVENT_PHONEME {
            // SAFETY: for PHONEME events the union holds `string`.
            let bytes = unsafe { ev.id.string };
            let len = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
            let name = String::from_utf8_lossy(&bytes[..len]).into_owned();
            // Names starting with `(` are language switches, not sounds.
            if !name.is_empty() && !name.starts_with('(') {
                out.events.push((name, ev.sample.max(0) as u64));
            }
        }
        i += 1;
    }
    if !wav.is_null() && numsamples > 0 {
        // SAFETY: espeak hands `numsamples` valid samples at `wav`.
        let block = unsafe { std::slice::from_raw_parts(wav, numsamples as usize) };
        out.samples.extend_from_slice(block);
    }
    0
}

/// The identifier (voice file, e.g. `gmw/en`) of the first installed voice
/// that lists `language` (case-insensitive) among its languages.
fn voice_for_language(language: &str) -> Option<String> {
    // SAFETY: owner thread; the array is NULL-terminated and owned by espeak;
    // `languages` is a sequence of (priority byte, NUL-terminated string)
    // ending with an empty string.
    unsafe {
        let list = ffi::espeak_ListVoices(ptr::null_mut());
        if list.is_null() {
            return None;
        }
        let mut i = 0;
        while !(*list.add(i)).is_null() {
            let voice = &**list.add(i);
            let mut p = voice.languages;
            while !p.is_null() && *p != 0 {
                let lang = CStr::from_ptr(p.add(1));
                if lang.to_string_lossy().eq_ignore_ascii_case(language)
                    && !voice.identifier.is_null()
                {
                    return Some(
                        CStr::from_ptr(voice.identifier)
                            .to_string_lossy()
                            .into_owned(),
                    );
                }
                p = p.add(1 + lang.to_bytes().len() + 1);
            }
            i += 1;
        }
    }
    None
}

fn installed_voices() -> Vec<String> {
    let mut names = Vec::new();
    // SAFETY: owner thread; the returned array is NULL-terminated and owned by espeak.
    unsafe {
        let list = ffi::espeak_ListVoices(ptr::null_mut());
        if list.is_null() {
            return names;
        }
        let mut i = 0;
        while !(*list.add(i)).is_null() {
            let voice = &**list.add(i);
            // `languages` starts with a priority byte, then the language the
            // voice is selected by (`en-us`, `cmn-latn-pinyin`).
            if !voice.languages.is_null() && *voice.languages != 0 {
                let lang = CStr::from_ptr(voice.languages.add(1))
                    .to_string_lossy()
                    .into_owned();
                let name = if voice.name.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr(voice.name).to_string_lossy().into_owned()
                };
                names.push(format!("{lang} ({name})"));
            }
            i += 1;
        }
    }
    names
}

/// A short list of installed voices that share the requested voice's language prefix.
fn suggest_voices(requested: &str) -> String {
    let prefix: String = requested
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    let all = installed_voices();
    let mut matching: Vec<&String> = all
        .iter()
        .filter(|v| !prefix.is_empty() && v.to_ascii_lowercase().starts_with(&prefix))
        .collect();
    if matching.is_empty() {
        matching = all
            .iter()
            .filter(|v| v.starts_with("en") || v.starts_with("cmn"))
            .collect();
    }
    let shown: Vec<&str> = matching.iter().take(12).map(|s| s.as_str()).collect();
    format!("{} (append +f3, +m3, ... for variants)", shown.join(", "))
}
