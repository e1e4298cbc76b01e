//! Per-request backend choice by voice name: `openai:alloy`, `piper:joe` and
//! `espeak:en-gb` go to that backend with the part after the colon as its
//! voice; any other name goes to the default backend as it is.

use std::sync::Arc;

use super::config::SpeechBackend;
use super::{Speech, SpeechError, SpeechRequest, Utterance};

/// A `Speech` that dispatches each request on its voice's backend prefix.
/// Built by `SpeechConfig::build`; shared by all sessions.
pub struct VoiceRouter {
    pub default: SpeechBackend,
    pub espeak: Option<Arc<dyn Speech>>,
    pub openai: Option<Arc<dyn Speech>>,
    pub piper: Option<Arc<dyn Speech>>,
}

/// `openai:alloy` → (Openai, Some("alloy")); `openai:` → (Openai, None);
/// `en-gb` → (None, Some("en-gb")).
pub fn split_voice(voice: Option<&str>) -> (Option<SpeechBackend>, Option<String>) {
    let Some(voice) = voice.map(str::trim).filter(|v| !v.is_empty()) else {
        return (None, None);
    };
    if let Some((prefix, rest)) = voice.split_once(':')
        && let Ok(backend) = prefix.parse::<SpeechBackend>()
    {
        let rest = rest.trim();
        return (Some(backend), (!rest.is_empty()).then(|| rest.to_string()));
    }
    (None, Some(voice.to_string()))
}

impl VoiceRouter {
    /// The backend instance for `kind`, if this process has it.
    pub fn backend(&self, kind: SpeechBackend) -> Option<&Arc<dyn Speech>> {
        match kind {
            SpeechBackend::Espeak => self.espeak.as_ref(),
            SpeechBackend::Openai => self.openai.as_ref(),
            SpeechBackend::Piper => self.piper.as_ref(),
        }
    }
}

impl Speech for VoiceRouter {
    fn synthesize(&self, req: &SpeechRequest) -> Result<Utterance, SpeechError> {
        let (prefix, voice) = split_voice(req.voice.as_deref());
        let kind = prefix.unwrap_or(self.default);
        let backend = self
            .backend(kind)
            .ok_or_else(|| SpeechError::BackendMissing {
                backend: kind.name(),
                voice: req.voice.clone().unwrap_or_default(),
            })?;
        let routed = SpeechRequest {
            voice,
            ..req.clone()
        };
        backend.synthesize(&routed)
    }

    fn name(&self) -> &str {
        self.backend(self.default).map_or("none", |b| b.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::Lang;

    /// Answers with its own name and the voice it was given, as the utterance's voice.
    struct Echo(&'static str);

    impl Speech for Echo {
        fn synthesize(&self, req: &SpeechRequest) -> Result<Utterance, SpeechError> {
            Ok(Utterance {
                pcm: vec![0.0; 10],
                phonemes: Vec::new(),
                lang: req.lang,
                voice: format!("{}/{}", self.0, req.voice.as_deref().unwrap_or("-")),
            })
        }

        fn name(&self) -> &str {
            self.0
        }
    }

    fn router(default: SpeechBackend) -> VoiceRouter {
        VoiceRouter {
            default,
            espeak: Some(Arc::new(Echo("espeak"))),
            openai: Some(Arc::new(Echo("openai"))),
            piper: None,
        }
    }

    fn voice_of(r: &VoiceRouter, voice: Option<&str>) -> Result<String, SpeechError> {
        let mut req = SpeechRequest::new("hi", Lang::En);
        req.voice = voice.map(str::to_string);
        r.synthesize(&req).map(|u| u.voice)
    }

    #[test]
    fn prefixes_pick_the_backend_and_the_rest_is_its_voice() {
        let r = router(SpeechBackend::Espeak);
        assert_eq!(voice_of(&r, None).ok().as_deref(), Some("espeak/-"));
        assert_eq!(
            voice_of(&r, Some("en-gb+f3")).ok().as_deref(),
            Some("espeak/en-gb+f3")
        );
        assert_eq!(
            voice_of(&r, Some("openai:alloy")).ok().as_deref(),
            Some("openai/alloy")
        );
        assert_eq!(
            voice_of(&r, Some("openai:")).ok().as_deref(),
            Some("openai/-")
        );
        assert_eq!(
            voice_of(&r, Some("espeak:en-gb")).ok().as_deref(),
            Some("espeak/en-gb")
        );
        let r = router(SpeechBackend::Openai);
        assert_eq!(
            voice_of(&r, Some("nova")).ok().as_deref(),
            Some("openai/nova")
        );
        assert_eq!(r.name(), "openai");
    }

    #[test]
    fn a_backend_this_process_lacks_is_a_clear_error() {
        let err = voice_of(&router(SpeechBackend::Espeak), Some("piper:joe")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("piper:joe") && msg.contains("[speech"),
            "{msg}"
        );
        assert_eq!(split_voice(Some("  ")), (None, None));
        // A colon without a known backend is an ordinary voice name.
        assert_eq!(split_voice(Some("x:y")), (None, Some("x:y".into())));
    }
}
