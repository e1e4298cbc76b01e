//! A whole utterance's PCM → a [`VisemeTimeline`], for speech that arrives
//! with no phonemes. The estimator's 16 ms decisions become cues; cues
//! shorter than a syllable's worth are folded into their longer neighbour
//! (the animation's hold and cross-fades do the rest), so the mouth changes
//! shape at a syllable rate rather than flickering; each cue's weight
//! follows the loudness of its stretch of audio.

use std::sync::Arc;

use crate::clock::SampleTime;
use crate::visemes::{Viseme, VisemeCue, VisemeTimeline};

use super::estimator::{AudioVisemeEstimator, EstimatorSettings, VisemeFrame};
use super::features::FRAME_STEP;
use super::model::VisemeModel;

/// Shortest shape kept: 64 ms, four frames. Shorter estimated cues are
/// mostly misclassified transitions. Chosen on the training sentences with
/// an unseen voice: 80 ms lost 7 points of agreement, 48 ms made the
/// animated English mouth change shape 8 times a second (64 ms: 6).
pub const MIN_CUE: SampleTime = SampleTime(48 * 64);
/// Shortest pause kept inside speech: a stop's closure is shorter and should
/// not read as the mouth coming to rest.
pub const MIN_PAUSE: SampleTime = SampleTime(48 * 80);
/// The quietest voiced cue is formed this far; the loudest fully.
const WEIGHT_FLOOR: f32 = 0.6;

/// The estimator's decisions for all of `pcm` (48 kHz mono), one per 16 ms.
pub fn estimate_frames(
    model: &Arc<VisemeModel>,
    settings: &EstimatorSettings,
    pcm: &[f32],
) -> Vec<VisemeFrame> {
    let mut estimator = AudioVisemeEstimator::new(model.clone(), settings.clone());
    let mut frames = Vec::with_capacity(pcm.len() / FRAME_STEP.0 as usize + 8);
    // Chunked as a live source would deliver it (20 ms); the result does not depend on it.
    for chunk in pcm.chunks(960) {
        estimator.push(chunk);
        frames.extend(std::iter::from_fn(|| estimator.poll()));
    }
    estimator.finish();
    frames.extend(std::iter::from_fn(|| estimator.poll()));
    let end = pcm.len() as u64;
    frames.retain(|f| f.time.0 < end);
    frames
}

/// Viseme timeline for `pcm` (48 kHz mono) from the audio alone, covering
/// `0..pcm.len()`; empty for empty audio.
pub fn timeline_from_pcm(
    model: &Arc<VisemeModel>,
    settings: &EstimatorSettings,
    pcm: &[f32],
) -> VisemeTimeline {
    let frames = estimate_frames(model, settings, pcm);
    let mut cues = cues_from_frames(&frames, SampleTime(pcm.len() as u64));
    fold_short_cues(&mut cues);
    weigh_by_loudness(&mut cues, pcm);
    VisemeTimeline { cues }
}

/// One cue per run of equal decisions; frame `k` covers half a step each
/// side of its time, the first from 0 and the last to `end`.
fn cues_from_frames(frames: &[VisemeFrame], end: SampleTime) -> Vec<VisemeCue> {
    let mut cues: Vec<VisemeCue> = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let start = if i == 0 {
            SampleTime::ZERO
        } else {
            f.time - SampleTime(FRAME_STEP.0 / 2)
        };
        let stop = frames
            .get(i + 1)
            .map_or(end, |n| n.time - SampleTime(FRAME_STEP.0 / 2))
            .min(end);
        if stop <= start {
            continue;
        }
        match cues.last_mut() {
            Some(last) if last.viseme == f.viseme => last.end = stop,
            _ => cues.push(VisemeCue {
                viseme: f.viseme,
                start: cues.last().map_or(start, |c| c.end),
                end: stop,
                weight: 1.0,
            }),
        }
    }
    if let (Some(last), true) = (cues.last_mut(), end.0 > 0) {
        last.end = end;
    }
    cues
}

/// Repeatedly folds the shortest too-short cue into its longer neighbour
/// (merging equal neighbours), until every cue is long enough or only one is
/// left. The ends of the utterance are exempt: silence there is real.
fn fold_short_cues(cues: &mut Vec<VisemeCue>) {
    loop {
        let short = cues
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                let min = if c.viseme == Viseme::Sil {
                    MIN_PAUSE
                } else {
                    MIN_CUE
                };
                let edge_pause = c.viseme == Viseme::Sil && (*i == 0 || *i + 1 == cues.len());
                !edge_pause && (c.end - c.start) < min
            })
            .min_by_key(|(_, c)| (c.end - c.start).0)
            .map(|(i, _)| i);
        let Some(i) = short else { break };
        if cues.len() < 2 {
            break;
        }
        let len = |c: &VisemeCue| (c.end - c.start).0;
        let into_previous = match (i.checked_sub(1).map(|p| &cues[p]), cues.get(i + 1)) {
            (Some(p), Some(n)) => len(p) >= len(n),
            (Some(_), None) => true,
            _ => false,
        };
        let removed = cues.remove(i);
        if into_previous {
            cues[i - 1].end = removed.end;
        } else {
            cues[i].start = removed.start;
        }
        // The neighbours may now be the same shape: join them.
        let around = i.saturating_sub(1);
        if around + 1 < cues.len() && cues[around].viseme == cues[around + 1].viseme {
            let next = cues.remove(around + 1);
            cues[around].end = next.end;
        }
    }
}

/// Voiced cues are formed in proportion to the square root of their RMS
/// relative to the loudest 10 ms of the utterance, from `WEIGHT_FLOOR` to 1.
fn weigh_by_loudness(cues: &mut [VisemeCue], pcm: &[f32]) {
    let rms = |s: &[f32]| -> f32 {
        if s.is_empty() {
            return 0.0;
        }
        (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt()
    };
    let peak = pcm.chunks(480).map(rms).fold(0.0f32, f32::max);
    for c in cues.iter_mut().filter(|c| c.viseme != Viseme::Sil) {
        let span = &pcm[c.start.0 as usize..(c.end.0 as usize).min(pcm.len())];
        let relative = if peak > 0.0 { rms(span) / peak } else { 0.0 };
        c.weight = (WEIGHT_FLOOR + (1.0 - WEIGHT_FLOOR) * relative.sqrt()).clamp(0.0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ms: u64, viseme: Viseme) -> VisemeFrame {
        VisemeFrame {
            time: SampleTime::from_millis(ms),
            viseme,
            loudness_db: -20.0,
        }
    }

    fn spans(cues: &[VisemeCue]) -> Vec<(&'static str, u64, u64)> {
        cues.iter()
            .map(|c| {
                (
                    c.viseme.oculus_suffix(),
                    c.start.as_millis(),
                    c.end.as_millis(),
                )
            })
            .collect()
    }

    #[test]
    fn runs_become_contiguous_cues_and_flickers_fold_away() {
        use Viseme::*;
        // sil, then aa with a one-frame O flicker, a 32 ms PP (too short to
        // show: folded into the longer aa), E, a 32 ms pause (a stop), E, sil.
        let seq = [
            Sil, Sil, Sil, Aa, Aa, Aa, O, Aa, Aa, Aa, PP, PP, E, E, E, E, E, E, Sil, Sil, E, E, E,
            E, E, E, Sil, Sil,
        ];
        let frames: Vec<VisemeFrame> = seq
            .iter()
            .enumerate()
            .map(|(i, v)| frame(i as u64 * 16, *v))
            .collect();
        let end = SampleTime::from_millis(seq.len() as u64 * 16);
        let mut cues = cues_from_frames(&frames, end);
        assert_eq!(cues.first().map(|c| c.start), Some(SampleTime::ZERO));
        assert!(cues.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(cues.last().map(|c| c.end), Some(end));
        fold_short_cues(&mut cues);
        assert_eq!(
            spans(&cues),
            [
                ("sil", 0, 40),
                ("aa", 40, 184),
                ("E", 184, 408),
                ("sil", 408, 448)
            ]
        );
    }

    #[test]
    fn loud_cues_weigh_more_than_quiet_ones() {
        let mut pcm = vec![0.5f32; 4800];
        pcm.extend(vec![0.05f32; 4800]);
        let mut cues = vec![
            VisemeCue {
                viseme: Viseme::Aa,
                start: SampleTime(0),
                end: SampleTime(4800),
                weight: 1.0,
            },
            VisemeCue {
                viseme: Viseme::O,
                start: SampleTime(4800),
                end: SampleTime(9600),
                weight: 1.0,
            },
        ];
        weigh_by_loudness(&mut cues, &pcm);
        assert!((cues[0].weight - 1.0).abs() < 1e-6);
        let expected = WEIGHT_FLOOR + (1.0 - WEIGHT_FLOOR) * 0.1f32.sqrt();
        assert!(
            (cues[1].weight - expected).abs() < 1e-4,
            "{}",
            cues[1].weight
        );
    }
}
