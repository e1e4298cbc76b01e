//! The `chat` data channel's JSON protocol (text messages, one object each).
//!
//! Client → server: `{"type":"text","text":"…"}`, `{"type":"interrupt"}`,
//! `{"type":"typing"}` (the visitor is typing; send about once a second).
//! Server → client: `{"type":"state","state":"idle|listening|thinking|speaking"}`,
//! `{"type":"subtitle","utterance":n,"text":"…","start_ms":…,"end_ms":…}`
//! (sent as the sentence starts playing; ms on the utterance's audio clock,
//! 0 = its first sample), `{"type":"speech_end","utterance":n,"heard_ms":…,
//! "interrupted":bool}`, `{"type":"handoff","reason":"…"}` (a human should
//! take over) and `{"type":"error","message":"…"}` for anything malformed;
//! the session lives on after an error.

use serde::Deserialize;
use serde_json::json;

use crate::engine::LiveEvent;

/// The longest customer message accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 2000;

/// A message from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    Text(String),
    Interrupt,
    /// The visitor is typing or speaking: the avatar listens.
    Typing,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

/// Parses one client message; the error is the text of the `error` reply.
pub fn parse(message: &str) -> Result<ClientMessage, String> {
    let raw: Raw = serde_json::from_str(message).map_err(|e| {
        format!(
            "not a JSON object with a \"type\" ({e}); send {{\"type\":\"text\",\"text\":\"…\"}} \
             or {{\"type\":\"interrupt\"}}"
        )
    })?;
    match raw.kind.as_str() {
        "text" => {
            let text = raw.text.unwrap_or_default();
            let text = text.trim();
            if text.is_empty() {
                return Err("a \"text\" message needs a non-empty \"text\" field".into());
            }
            if text.len() > MAX_TEXT_BYTES {
                return Err(format!(
                    "the text is {} bytes; send at most {MAX_TEXT_BYTES}",
                    text.len()
                ));
            }
            Ok(ClientMessage::Text(text.to_string()))
        }
        "interrupt" => Ok(ClientMessage::Interrupt),
        "typing" => Ok(ClientMessage::Typing),
        other => Err(format!(
            "unknown message type {other:?}; this server understands \"text\", \"interrupt\" and \"typing\""
        )),
    }
}

/// The JSON for an engine event.
pub fn event_json(event: &LiveEvent) -> String {
    match event {
        LiveEvent::State(state) => json!({"type": "state", "state": state.as_str()}),
        LiveEvent::Subtitle {
            utterance,
            text,
            start_ms,
            end_ms,
        } => json!({
            "type": "subtitle",
            "utterance": utterance,
            "text": text,
            "start_ms": start_ms,
            "end_ms": end_ms,
        }),
        LiveEvent::SpeechEnd {
            utterance,
            heard_ms,
            interrupted,
        } => json!({
            "type": "speech_end",
            "utterance": utterance,
            "heard_ms": heard_ms,
            "interrupted": interrupted,
        }),
    }
    .to_string()
}

pub fn error_json(message: &str) -> String {
    json!({"type": "error", "message": message}).to_string()
}

pub fn handoff_json(reason: &str) -> String {
    json!({"type": "handoff", "reason": reason}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LiveState;

    #[test]
    fn parses_text_and_interrupt_and_explains_the_rest() {
        assert_eq!(
            parse(r#"{"type":"text","text":"  Where is my order? "}"#),
            Ok(ClientMessage::Text("Where is my order?".into()))
        );
        assert_eq!(
            parse(r#"{"type":"interrupt"}"#),
            Ok(ClientMessage::Interrupt)
        );
        assert_eq!(parse(r#"{"type":"typing"}"#), Ok(ClientMessage::Typing));
        for (bad, needle) in [
            ("{not json", "not a JSON object"),
            (r#"{"text":"hi"}"#, "not a JSON object"),
            (r#"{"type":"dance"}"#, "unknown message type \"dance\""),
            (r#"{"type":"dance"}"#, "\"typing\""),
            (r#"{"type":"text"}"#, "non-empty"),
            (r#"{"type":"text","text":"   "}"#, "non-empty"),
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains(needle), "{bad}: {err}");
        }
        let long = format!(
            r#"{{"type":"text","text":"{}"}}"#,
            "a".repeat(MAX_TEXT_BYTES + 1)
        );
        assert!(parse(&long).is_err());
    }

    #[test]
    fn events_serialise_as_the_protocol_says() {
        let v: serde_json::Value =
            serde_json::from_str(&event_json(&LiveEvent::State(LiveState::Thinking)))
                .expect("json");
        assert_eq!(v, json!({"type":"state","state":"thinking"}));
        let v: serde_json::Value = serde_json::from_str(&event_json(&LiveEvent::SpeechEnd {
            utterance: 3,
            heard_ms: 1234,
            interrupted: true,
        }))
        .expect("json");
        assert_eq!(
            v,
            json!({"type":"speech_end","utterance":3,"heard_ms":1234,"interrupted":true})
        );
        let v: serde_json::Value = serde_json::from_str(&error_json("bad \"x\"")).expect("json");
        assert_eq!(v["type"], "error");
        assert_eq!(v["message"], "bad \"x\"");
    }
}
