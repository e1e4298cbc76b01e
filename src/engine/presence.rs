//! Glue between the dialog's words and the animation's presence layer:
//! bracketed tags in spoken text become expressions (`[smile]`) and
//! gestures (`[wave]`, `[nod]`: the avatar's glTF clips of that name).

use crate::animation::FacialExpression;
use crate::speech::SpeechRequest;

/// What a sentence's tags ask of the face and body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentenceTags {
    /// The first emotion tag.
    pub expression: Option<FacialExpression>,
    /// Other tags, lower-case, in order: gesture clip names.
    pub gestures: Vec<String>,
}

/// `request` without its `[tag]`s, and what the tags ask for. Brackets
/// holding anything but letters, `_` and `-` ("[1]") are text and stay.
pub fn strip_tags(request: &SpeechRequest) -> (SpeechRequest, SentenceTags) {
    let mut tags = SentenceTags::default();
    if !request.text.contains(['[', '【']) {
        return (request.clone(), tags);
    }
    let (text, emotion) = crate::dialog::sentences::strip_emotion_tags(&request.text);
    tags.expression = emotion;
    // The dialog's stripper drops unknown tags; collect them as gestures.
    let mut rest = request.text.as_str();
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            break;
        };
        let tag = &after[..close];
        let word = !tag.is_empty()
            && tag.len() <= 20
            && tag
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-');
        if word && FacialExpression::from_tag(tag).is_none() {
            tags.gestures.push(tag.to_ascii_lowercase());
        }
        rest = &after[close + 1..];
    }
    (
        SpeechRequest {
            text,
            ..request.clone()
        },
        tags,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::Lang;

    #[test]
    fn tags_become_expressions_and_gestures_and_are_not_spoken() {
        let (r, t) = strip_tags(&SpeechRequest::new(
            "[concerned] [Nod] I am sorry.",
            Lang::En,
        ));
        assert_eq!(r.text, "I am sorry.");
        assert_eq!(t.expression, Some(FacialExpression::Concerned));
        assert_eq!(t.gestures, vec!["nod".to_string()]);
        let (r, t) = strip_tags(&SpeechRequest::new("Plain [1] text.", Lang::En));
        assert_eq!(r.text, "Plain [1] text.");
        assert_eq!(t, SentenceTags::default());
    }
}
