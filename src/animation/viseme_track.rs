//! Viseme timelines → smooth per-instant mouth weights.
//!
//! Each pushed utterance is baked once into a dense grid (one row per 5 ms)
//! of smoothed weights; `sample` only interpolates, so it is cheap, never
//! allocates, and the same `t` always gives the same answer. Baking is where
//! the articulation rules live:
//! - every cue fades in and out with cosine ramps centred on its edges, so
//!   neighbouring visemes cross-fade (coarticulation);
//! - short cues are held for `min_hold` so they register instead of flickering;
//! - consonants the lips barely show take the shape of their vowel
//!   (tongue-only t d n k g: the vowel, a little closed) or a weaker own
//!   shape (s r th), so the visible shape changes at a syllable rate, not a
//!   phoneme rate;
//! - bilabials (`PP`: p b m) ramp in *before* their start and suppress every
//!   other shape, so the lips are shut for the whole closure;
//! - all shapes but PP/FF scale with the smoothed loudness (the jaw opens
//!   more on loud syllables);
//! - finally a rate limiter, run forwards and backwards and averaged so it
//!   neither delays nor advances, bounds how fast any weight may change.

use std::collections::VecDeque;

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};
use crate::visemes::{Viseme, VisemeCue, VisemeTimeline};

use super::AnimationParams;
use super::noise::smoothstep;

/// Grid spacing: 5 ms keeps interpolation error far below a frame.
const STEP: u64 = 240;
/// Rest padding before and after an utterance, long enough for every
/// channel to start and end at exactly zero.
const PAD: u64 = SAMPLE_RATE_HZ as u64 * 3 / 10;
const EMPHASIS: usize = Viseme::COUNT;
const SPEAKING: usize = Viseme::COUNT + 1;
const CHANNELS: usize = Viseme::COUNT + 2;
/// Slower channels: the brow and the speaking state drift rather than snap.
const EMPHASIS_SPEED_PER_SEC: f32 = 4.0;
const SPEAKING_SPEED_PER_SEC: f32 = 4.0;

/// What the track says about one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackSample {
    /// Viseme weights in 0..=1, indexed by `Viseme as usize`; `Sil` is 1
    /// minus the strongest other weight.
    pub visemes: [f32; Viseme::COUNT],
    /// Emphasis (loud syllable) in 0..=1, for brows and nods.
    pub emphasis: f32,
    /// 0 at rest, 1 while an utterance plays; ramps between.
    pub speaking: f32,
}

impl TrackSample {
    fn rest() -> Self {
        let mut visemes = [0.0; Viseme::COUNT];
        visemes[Viseme::Sil as usize] = 1.0;
        TrackSample {
            visemes,
            emphasis: 0.0,
            speaking: 0.0,
        }
    }
}

#[derive(Debug, Clone)]
struct Segment {
    /// Stream time of row 0.
    origin: u64,
    rows: Vec<[f32; CHANNELS]>,
    /// Audio stops here (interrupt); the mouth closes over `stop_fade`.
    stop_at: Option<u64>,
}

impl Segment {
    fn last_time(&self) -> u64 {
        self.origin + (self.rows.len() as u64).saturating_sub(1) * STEP
    }
}

/// Smoothed viseme weights as a function of the audio clock. Fed timelines
/// as speech arrives and sampled once per video frame. It never reads a
/// clock or blocks, and `sample` does not allocate.
#[derive(Debug, Clone)]
pub struct VisemeTrack {
    segments: VecDeque<Segment>,
    params: AnimationParams,
}

impl VisemeTrack {
    pub fn new(params: &AnimationParams) -> Self {
        VisemeTrack {
            segments: VecDeque::new(),
            params: params.clone(),
        }
    }

    /// Adds an utterance whose sample 0 plays at stream time `start`.
    /// `loudness` is its RMS envelope (0..=1) per `hop` samples; empty means
    /// "full loudness throughout".
    pub fn push(
        &mut self,
        start: SampleTime,
        timeline: &VisemeTimeline,
        loudness: &[f32],
        hop: SampleTime,
    ) {
        if timeline.is_empty() {
            return;
        }
        let segment = bake(&self.params, start, timeline, loudness, hop);
        self.segments.push_back(segment);
    }

    /// Mouth weights shown by the frame stamped `t` (the mouth leads the audio by `params.lead`).
    pub fn sample(&self, t: SampleTime) -> TrackSample {
        let visual = t.0 + self.params.lead.0;
        let mut acc = [0.0f32; CHANNELS];
        for seg in &self.segments {
            if visual < seg.origin || visual > seg.last_time() {
                continue;
            }
            let fade = match seg.stop_at {
                Some(stop) if t.0 >= stop => {
                    let fade_len = self.params.stop_fade.0.max(1) as f32;
                    (1.0 - (t.0 - stop) as f32 / fade_len).max(0.0)
                }
                _ => 1.0,
            };
            if fade == 0.0 {
                continue;
            }
            let offset = visual - seg.origin;
            let i = (offset / STEP) as usize;
            let frac = (offset % STEP) as f32 / STEP as f32;
            let a = &seg.rows[i];
            let b = seg.rows.get(i + 1).unwrap_or(a);
            for c in 0..CHANNELS {
                let v = (a[c] + (b[c] - a[c]) * frac) * fade;
                acc[c] = acc[c].max(v);
            }
        }
        let mut out = TrackSample::rest();
        let mut strongest = 0.0f32;
        for v in Viseme::ALL.into_iter().skip(1) {
            let w = acc[v as usize].clamp(0.0, 1.0);
            out.visemes[v as usize] = w;
            strongest = strongest.max(w);
        }
        out.visemes[Viseme::Sil as usize] = 1.0 - strongest;
        out.emphasis = acc[EMPHASIS].clamp(0.0, 1.0);
        out.speaking = acc[SPEAKING].clamp(0.0, 1.0);
        out
    }

    /// Frames before `t` are on the wire: forget utterances that cannot
    /// affect any sample at or after `t`.
    pub fn retire_before(&mut self, t: SampleTime) {
        let lead = self.params.lead.0;
        let fade = self.params.stop_fade.0;
        self.segments.retain(|seg| {
            let visible_later = seg.last_time() >= t.0 + lead;
            let stopped = seg.stop_at.is_some_and(|stop| stop + fade <= t.0);
            visible_later && !stopped
        });
    }

    /// The audio is cut at `t` (barge-in): every utterance, playing or queued,
    /// fades to rest over `stop_fade`. Utterances pushed later are unaffected.
    pub fn stop_at(&mut self, t: SampleTime) {
        for seg in &mut self.segments {
            seg.stop_at = Some(seg.stop_at.map_or(t.0, |s| s.min(t.0)));
        }
    }

    /// Number of utterances still held (for tests and metrics).
    pub fn pending(&self) -> usize {
        self.segments.len()
    }
}

fn bake(
    params: &AnimationParams,
    start: SampleTime,
    timeline: &VisemeTimeline,
    loudness: &[f32],
    hop: SampleTime,
) -> Segment {
    let end = timeline.end().0 as i64;
    // Row 0 sits PAD before the utterance, but not before the stream began.
    let rel0 = -(PAD.min(start.0) as i64);
    let n = ((end + PAD as i64 - rel0) as u64).div_ceil(STEP) as usize + 1;
    let time_of = |i: usize| rel0 + (i as u64 * STEP) as i64;
    let row_of = |tau: i64| ((tau - rel0).max(0) as u64 / STEP) as usize;
    let mut targets = vec![[0.0f32; CHANNELS]; n];

    let attack = params.attack.0.max(1) as i64;
    let release = params.release.0.max(1) as i64;
    let cues = with_tongue_consonants_coarticulated(&timeline.cues, params);
    for cue in cues.iter().filter(|c| c.viseme != Viseme::Sil) {
        let dominance = lip_dominance(cue.viseme, params);
        let s = cue.start.0 as i64;
        let e = (cue.end.0 as i64).max(s + params.min_hold.0 as i64);
        let bilabial = cue.viseme == Viseme::PP;
        // Bilabials are fully shut from the moment their closure is heard
        // until the burst at their end, on the audio clock: the lead is
        // cancelled for them (rows are read at t + lead), and the lips close
        // during the `attack` before. Other shapes cross-fade centred on
        // their edges.
        let lead = params.lead.0 as i64;
        let (rise_from, fall_from) = if bilabial {
            (s + lead - attack - attack / 4, e + lead)
        } else {
            (s - attack / 2, e - release / 2)
        };
        let first = row_of(rise_from);
        let last = (row_of(fall_from + release) + 1).min(n - 1);
        for (i, row) in targets.iter_mut().enumerate().take(last + 1).skip(first) {
            let tau = time_of(i);
            let rise = cosine_ramp((tau - rise_from) as f32 / attack as f32);
            let fall = 1.0 - cosine_ramp((tau - fall_from) as f32 / release as f32);
            row[cue.viseme as usize] += cue.weight * dominance * rise.min(fall);
        }
    }

    let envelope = Loudness::new(loudness, hop);
    for (i, row) in targets.iter_mut().enumerate() {
        let tau = time_of(i);
        for w in row.iter_mut().take(Viseme::COUNT) {
            *w = w.clamp(0.0, 1.0);
        }
        // Lips shut for p b m: nothing else may open the mouth.
        let closed = row[Viseme::PP as usize];
        let loud = envelope.mean(tau, 45);
        let jaw = params.jaw_floor + (1.0 - params.jaw_floor) * loud;
        for v in Viseme::ALL.into_iter().skip(1) {
            if v != Viseme::PP && v != Viseme::FF {
                row[v as usize] *= (1.0 - closed) * jaw;
            }
        }
        let inside = tau >= 0 && tau < end;
        if inside {
            let loud_long = envelope.mean(tau, 90);
            row[EMPHASIS] =
                params.emphasis_brow * smoothstep(f64::from((loud_long - 0.7) / 0.25)) as f32;
            row[SPEAKING] = 1.0;
        }
    }

    let per_step = |speed: f32| speed * STEP as f32 / SAMPLE_RATE_HZ as f32;
    let mut limits = [per_step(params.max_viseme_speed_per_sec); CHANNELS];
    limits[EMPHASIS] = per_step(EMPHASIS_SPEED_PER_SEC);
    limits[SPEAKING] = per_step(SPEAKING_SPEED_PER_SEC);
    let rows = rate_limit(&targets, &limits);
    Segment {
        origin: (start.0 as i64 + rel0) as u64,
        rows,
        stop_at: None,
    }
}

/// How strongly a viseme shapes the lips (see
/// `AnimationParams::tongue_consonant_weight`).
fn lip_dominance(v: Viseme, params: &AnimationParams) -> f32 {
    let tongue = params.tongue_consonant_weight.clamp(0.0, 1.0);
    match v {
        Viseme::SS | Viseme::RR | Viseme::TH => 0.5 * (1.0 + tongue),
        _ => 1.0,
    }
}

fn is_tongue_only(v: Viseme) -> bool {
    matches!(v, Viseme::DD | Viseme::Kk | Viseme::Nn)
}

fn is_vowel(v: Viseme) -> bool {
    matches!(
        v,
        Viseme::Aa | Viseme::E | Viseme::I | Viseme::O | Viseme::U
    )
}

/// Tongue-only consonants (t d n l k g) barely show on the lips: the mouth
/// keeps the shape of a neighbouring vowel (the previous one, else the
/// next), a little closed, or else of a neighbouring visible consonant.
/// With neither (between pauses) they keep their own, weaker shape.
fn with_tongue_consonants_coarticulated(
    cues: &[VisemeCue],
    params: &AnimationParams,
) -> Vec<VisemeCue> {
    let tongue = params.tongue_consonant_weight.clamp(0.0, 1.0);
    let mut out = cues.to_vec();
    for (i, cue) in cues.iter().enumerate() {
        if !is_tongue_only(cue.viseme) {
            continue;
        }
        let neighbours = || {
            [i.checked_sub(1), Some(i + 1)]
                .into_iter()
                .flatten()
                .filter_map(|j| cues.get(j))
        };
        let vowel = neighbours().find(|c| is_vowel(c.viseme)).or_else(|| {
            neighbours().find(|c| c.viseme != Viseme::Sil && !is_tongue_only(c.viseme))
        });
        match vowel {
            Some(v) => {
                out[i].viseme = v.viseme;
                out[i].weight = v.weight * tongue;
            }
            None => out[i].weight *= tongue,
        }
    }
    out
}

/// 0 → 1 over `x` in 0..1 with zero slope at both ends.
fn cosine_ramp(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    0.5 - 0.5 * (std::f32::consts::PI * x).cos()
}

/// Limits each channel's change per row to `limits[c]`: a forward pass
/// (which lags) and a backward pass (which leads), averaged so transitions
/// stay centred where the targets put them. Each pass is rate-limited, so
/// their mean is too.
fn rate_limit(targets: &[[f32; CHANNELS]], limits: &[f32; CHANNELS]) -> Vec<[f32; CHANNELS]> {
    let n = targets.len();
    let mut forward = targets.to_vec();
    let mut backward = targets.to_vec();
    for i in 1..n {
        for c in 0..CHANNELS {
            let prev = forward[i - 1][c];
            forward[i][c] = targets[i][c].clamp(prev - limits[c], prev + limits[c]);
        }
    }
    for i in (0..n.saturating_sub(1)).rev() {
        for c in 0..CHANNELS {
            let next = backward[i + 1][c];
            backward[i][c] = targets[i][c].clamp(next - limits[c], next + limits[c]);
        }
    }
    for (f, b) in forward.iter_mut().zip(&backward) {
        for c in 0..CHANNELS {
            f[c] = 0.5 * (f[c] + b[c]);
        }
    }
    forward
}

/// An utterance's loudness envelope, read on its own clock.
struct Loudness<'a> {
    values: &'a [f32],
    hop: u64,
}

impl<'a> Loudness<'a> {
    fn new(values: &'a [f32], hop: SampleTime) -> Self {
        Loudness {
            values,
            hop: hop.0.max(1),
        }
    }

    /// Mean loudness over `tau ± half_window_millis`; 1.0 when no envelope was given.
    fn mean(&self, tau: i64, half_window_millis: i64) -> f32 {
        if self.values.is_empty() {
            return 1.0;
        }
        let half = half_window_millis * i64::from(SAMPLE_RATE_HZ) / 1000;
        let hop = self.hop as i64;
        let first = ((tau - half).max(0) / hop) as usize;
        let last = ((tau + half).max(0) / hop) as usize;
        let (mut sum, mut count) = (0.0f32, 0usize);
        for i in first..=last {
            // Outside the utterance counts as silence.
            sum += self.values.get(i).copied().unwrap_or(0.0).clamp(0.0, 1.0);
            count += 1;
        }
        sum / count.max(1) as f32
    }
}
