//! The answer to one customer message, produced on its own thread: the
//! dialog engine streams sentences, each is synthesised (espeak's owner
//! thread, shared by all sessions) and handed to the media thread at once,
//! so the first sentence plays while later ones are still being written.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::dialog::engine::Polled;
use crate::dialog::{DialogEngine, DialogEvent};
use crate::engine::RoleInfo;
use crate::speech::{Lang, Speech, SpeechRequest};

use super::media::MediaCommand;

/// How a session picks its espeak voice per language.
#[derive(Debug, Clone, Default)]
pub struct VoicePicker {
    /// A voice asked for explicitly, in the language it was asked for.
    pub explicit: Option<(String, Lang)>,
    pub role: Option<RoleInfo>,
}

impl VoicePicker {
    /// The explicit voice in its own language, else the role's voice for
    /// `lang`, else the backend's default.
    pub fn voice_for(&self, lang: Lang) -> Option<String> {
        match &self.explicit {
            Some((voice, l)) if *l == lang => Some(voice.clone()),
            _ => self.role.as_ref().and_then(|r| r.voice_for(lang)),
        }
    }
}

/// Everything a reply needs; cheap clones of the session's shared parts.
pub struct ReplyJob {
    pub id: u64,
    pub text: String,
    pub dialog: Arc<DialogEngine>,
    pub conversation: Arc<Mutex<crate::dialog::Session>>,
    pub speech: Arc<dyn Speech>,
    pub voices: VoicePicker,
    /// The reply the session still wants; another value cancels this one.
    pub current: Arc<AtomicU64>,
    pub media: Sender<MediaCommand>,
    /// Handoff reasons for the chat channel.
    pub handoff: tokio::sync::mpsc::UnboundedSender<String>,
}

/// How long one wait for the LLM lasts before checking for cancellation.
const POLL: Duration = Duration::from_millis(50);

impl ReplyJob {
    pub fn spawn(self) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name(format!("reply-{}", self.id))
            .spawn(move || self.run())
    }

    fn cancelled(&self) -> bool {
        self.current.load(Ordering::Acquire) != self.id
    }

    fn run(self) {
        // A poisoned lock only means an earlier reply thread panicked; the
        // conversation history it guards is still usable.
        let mut conversation = self
            .conversation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut reply = self.dialog.respond(&mut conversation, &self.text);
        while !self.cancelled() {
            match reply.next_within(POLL) {
                Polled::Pending => continue,
                Polled::Finished | Polled::Event(DialogEvent::End) => break,
                Polled::Event(DialogEvent::Handoff { reason }) => {
                    let _ = self.handoff.send(reason);
                }
                Polled::Event(DialogEvent::Sentence {
                    text,
                    lang,
                    emotion,
                }) => {
                    let request = SpeechRequest {
                        text: text.clone(),
                        lang,
                        voice: self.voices.voice_for(lang),
                    };
                    match self.speech.synthesize(&request) {
                        Ok(utterance) => {
                            let sent = self.media.send(MediaCommand::Sentence {
                                id: self.id,
                                text,
                                utterance,
                                expression: emotion,
                            });
                            if sent.is_err() {
                                return;
                            }
                        }
                        // One bad sentence is skipped, not the whole answer.
                        Err(e) => tracing::warn!("cannot speak {text:?}: {e}"),
                    }
                }
            }
        }
        drop(reply);
        let _ = self.media.send(MediaCommand::FinishReply { id: self.id });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_voice_only_in_its_language_then_the_role() {
        let role: RoleInfo =
            toml::from_str("voice = \"en-us+f3\"\nlang = \"en\"\n").expect("role toml");
        let p = VoicePicker {
            explicit: Some(("en-gb".into(), Lang::En)),
            role: Some(role),
        };
        assert_eq!(p.voice_for(Lang::En).as_deref(), Some("en-gb"));
        assert_eq!(p.voice_for(Lang::Zh).as_deref(), Some("cmn-latn-pinyin+f3"));
        assert_eq!(VoicePicker::default().voice_for(Lang::En), None);
    }
}
