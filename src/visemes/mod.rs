//! Stage 2: phonemes → visemes. Per-language tables map a speech backend's
//! phoneme names onto the 15 Oculus visemes, and a [`VisemeTimeline`] holds
//! the result on the audio clock.

pub mod audio;
pub mod external;
mod tables;
mod timeline;

pub use tables::{PhonemeShape, fallback_shape, phoneme_shape};
pub use timeline::{VisemeCue, VisemeTimeline};

/// The 15 Oculus (Meta OVR LipSync) visemes, in the standard order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Viseme {
    Sil = 0,
    PP,
    FF,
    TH,
    DD,
    Kk,
    CH,
    SS,
    Nn,
    RR,
    Aa,
    E,
    I,
    O,
    U,
}

impl Viseme {
    pub const COUNT: usize = 15;
    pub const ALL: [Viseme; 15] = [
        Viseme::Sil,
        Viseme::PP,
        Viseme::FF,
        Viseme::TH,
        Viseme::DD,
        Viseme::Kk,
        Viseme::CH,
        Viseme::SS,
        Viseme::Nn,
        Viseme::RR,
        Viseme::Aa,
        Viseme::E,
        Viseme::I,
        Viseme::O,
        Viseme::U,
    ];

    /// The Oculus suffix: `sil PP FF TH DD kk CH SS nn RR aa E I O U`.
    pub fn oculus_suffix(self) -> &'static str {
        [
            "sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U",
        ][self as usize]
    }

    /// The morph target name an Oculus-rigged avatar uses, e.g. `viseme_aa`.
    pub fn morph_name(self) -> String {
        format!("viseme_{}", self.oculus_suffix())
    }

    pub fn from_oculus_suffix(s: &str) -> Option<Viseme> {
        Viseme::ALL.into_iter().find(|v| v.oculus_suffix() == s)
    }
}

impl Viseme {
    /// Visemes with the jaw or lips apart (the vowels): what "the mouth is
    /// open" means in tests and for loudness scaling.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Viseme::Aa | Viseme::E | Viseme::I | Viseme::O | Viseme::U
        )
    }
}
