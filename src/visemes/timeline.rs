//! Phoneme events → a timeline of viseme cues on the utterance's clock.

use crate::clock::SampleTime;
use crate::speech::{Lang, PhonemeEvent};

use super::Viseme;
use super::tables::{PhonemeShape, fallback_shape, phoneme_shape};

/// One mouth target held over `start..end` (utterance clock, 48 kHz).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisemeCue {
    pub viseme: Viseme,
    pub start: SampleTime,
    pub end: SampleTime,
    /// How far the shape is formed, 0..=1 (reduced vowels are below 1).
    pub weight: f32,
}

/// Viseme cues sorted by time, contiguous and non-overlapping. Silence is an
/// explicit [`Viseme::Sil`] cue. Smoothing is not done here but in
/// `animation`: this is the raw target per instant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisemeTimeline {
    pub cues: Vec<VisemeCue>,
}

impl VisemeTimeline {
    /// Maps a backend's phoneme events through `lang`'s table. Unknown
    /// phonemes get a guessed shape and a logged warning, never a panic.
    /// Neighbouring cues with the same viseme are merged.
    pub fn from_phonemes(lang: Lang, phonemes: &[PhonemeEvent]) -> VisemeTimeline {
        let shapes: Vec<PhonemeShape> = phonemes
            .iter()
            .map(|p| {
                phoneme_shape(lang, &p.phoneme).unwrap_or_else(|| {
                    tracing::warn!(
                        phoneme = %p.phoneme, %lang,
                        "phoneme not in the viseme table; guessing a shape (add it to visemes/tables.rs)"
                    );
                    fallback_shape(&p.phoneme)
                })
            })
            .collect();
        let mut cues: Vec<VisemeCue> = Vec::with_capacity(phonemes.len());
        for (i, event) in phonemes.iter().enumerate() {
            if event.end <= event.start {
                continue;
            }
            let (viseme, weight) = match shapes[i] {
                PhonemeShape::Viseme(v, w) => (v, w.clamp(0.0, 1.0)),
                PhonemeShape::Pause => (Viseme::Sil, 1.0),
                PhonemeShape::Hold => cues
                    .last()
                    .map_or((Viseme::Sil, 1.0), |c| (c.viseme, c.weight)),
                PhonemeShape::Anticipate => next_shape(&shapes[i + 1..]),
            };
            push_merged(
                &mut cues,
                VisemeCue {
                    viseme,
                    start: event.start,
                    end: event.end,
                    weight,
                },
            );
        }
        VisemeTimeline { cues }
    }

    pub fn is_empty(&self) -> bool {
        self.cues.is_empty()
    }

    /// End of the last cue (zero when empty).
    pub fn end(&self) -> SampleTime {
        self.cues.last().map_or(SampleTime::ZERO, |c| c.end)
    }

    /// The cue covering `t`, if any (`start <= t < end`).
    pub fn cue_at(&self, t: SampleTime) -> Option<&VisemeCue> {
        let i = self.cues.partition_point(|c| c.end <= t);
        self.cues.get(i).filter(|c| c.start <= t)
    }

    /// Raw (unsmoothed) viseme weights at `t`: the covering cue's viseme at its
    /// weight, or silence outside the timeline.
    pub fn weights_at(&self, t: SampleTime) -> [f32; Viseme::COUNT] {
        let mut w = [0.0; Viseme::COUNT];
        match self.cue_at(t) {
            Some(c) => w[c.viseme as usize] = c.weight,
            None => w[Viseme::Sil as usize] = 1.0,
        }
        w
    }

    /// The same timeline shifted later by `offset` (e.g. onto a stream clock).
    pub fn shifted(&self, offset: SampleTime) -> VisemeTimeline {
        VisemeTimeline {
            cues: self
                .cues
                .iter()
                .map(|c| VisemeCue {
                    start: c.start + offset,
                    end: c.end + offset,
                    ..*c
                })
                .collect(),
        }
    }
}

/// The first real shape among the following phonemes (for `Anticipate`).
fn next_shape(rest: &[PhonemeShape]) -> (Viseme, f32) {
    for shape in rest {
        match shape {
            PhonemeShape::Viseme(v, w) => return (*v, w.clamp(0.0, 1.0) * 0.7),
            PhonemeShape::Pause => break,
            PhonemeShape::Hold | PhonemeShape::Anticipate => {}
        }
    }
    // `h` before a pause: a breathy, slightly open mouth.
    (Viseme::E, 0.4)
}

/// Appends `cue`, merging it into the previous cue when both are the same
/// viseme and touch (keeps the stronger weight).
fn push_merged(cues: &mut Vec<VisemeCue>, cue: VisemeCue) {
    if let Some(last) = cues.last_mut()
        && last.viseme == cue.viseme
        && last.end == cue.start
    {
        last.end = cue.end;
        last.weight = last.weight.max(cue.weight);
        return;
    }
    cues.push(cue);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(spec: &[(&str, u64)], end: u64) -> Vec<PhonemeEvent> {
        spec.iter()
            .enumerate()
            .map(|(i, (p, start))| PhonemeEvent {
                phoneme: (*p).to_string(),
                start: SampleTime(*start),
                end: SampleTime(spec.get(i + 1).map_or(end, |n| n.1)),
            })
            .collect()
    }

    fn names(t: &VisemeTimeline) -> Vec<String> {
        t.cues
            .iter()
            .map(|c| format!("{}@{}", c.viseme.oculus_suffix(), c.start.0))
            .collect()
    }

    #[test]
    fn hello_maps_and_merges() {
        // "_ h @ l oU _:": h takes the shape of the schwa that follows.
        let t = VisemeTimeline::from_phonemes(
            Lang::En,
            &events(
                &[
                    ("_", 0),
                    ("h", 500),
                    ("@", 3000),
                    ("l", 5400),
                    ("oU", 10_500),
                    ("_:", 21_000),
                    ("_", 28_000),
                ],
                30_000,
            ),
        );
        assert_eq!(
            names(&t),
            ["sil@0", "E@500", "nn@5400", "O@10500", "sil@21000"]
        );
        assert_eq!(t.end(), SampleTime(30_000));
        // h (0.6 * 0.7) merged with @ (0.6): the stronger weight wins.
        assert!((t.cues[1].weight - 0.6).abs() < 1e-6);
    }

    #[test]
    fn evaluation_at_frame_times() {
        let t = VisemeTimeline::from_phonemes(
            Lang::Zh,
            &events(
                &[
                    ("n", 0),
                    ("i", 3900),
                    ("n", 8500),
                    ("_|", 13_085),
                    ("X", 13_660),
                    ("Au", 18_693),
                ],
                29_022,
            ),
        );
        let at = |ms: u64| t.cue_at(SampleTime::from_millis(ms)).map(|c| c.viseme);
        assert_eq!(at(0), Some(Viseme::Nn));
        assert_eq!(at(100), Some(Viseme::I)); // sample 4800
        assert_eq!(at(200), Some(Viseme::Nn)); // 9600
        assert_eq!(at(275), Some(Viseme::Sil)); // 13200
        assert_eq!(at(300), Some(Viseme::Kk)); // 14400
        assert_eq!(at(500), Some(Viseme::Aa)); // 24000
        assert_eq!(at(700), None);
        let w = t.weights_at(SampleTime::from_millis(500));
        assert_eq!(w[Viseme::Aa as usize], 1.0);
        assert_eq!(w.iter().sum::<f32>(), 1.0);
        assert_eq!(t.weights_at(SampleTime(40_000))[Viseme::Sil as usize], 1.0);
        // Boundaries: a cue covers its start, not its end.
        assert_eq!(
            t.cue_at(SampleTime(3900)).map(|c| c.viseme),
            Some(Viseme::I)
        );
        assert_eq!(
            t.cue_at(SampleTime(3899)).map(|c| c.viseme),
            Some(Viseme::Nn)
        );
    }

    #[test]
    fn unknown_and_marks_never_panic() {
        let t = VisemeTimeline::from_phonemes(
            Lang::En,
            &events(
                &[("?", 0), ("Qx", 100), (";", 200), ("", 300), ("h", 400)],
                500,
            ),
        );
        assert_eq!(t.cues.first().map(|c| c.viseme), Some(Viseme::Sil));
        assert!(
            t.cues
                .iter()
                .all(|c| c.start < c.end && (0.0..=1.0).contains(&c.weight))
        );
        assert_eq!(t.end(), SampleTime(500));
        assert!(VisemeTimeline::from_phonemes(Lang::En, &[]).is_empty());
        let shifted = t.shifted(SampleTime(1000));
        assert_eq!(shifted.cues[0].start, SampleTime(1000));
    }
}
