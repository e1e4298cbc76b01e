//! Glue between the dialog's words and the animation's presence layer:
//! emotion tags in spoken text become expressions.

use crate::animation::FacialExpression;
use crate::dialog::sentences::strip_emotion_tags;
use crate::speech::SpeechRequest;

/// `request` without its `[tag]`s, and the expression the first known tag names.
pub fn strip_expression(request: &SpeechRequest) -> (SpeechRequest, Option<FacialExpression>) {
    if !request.text.contains(['[', '【']) {
        return (request.clone(), None);
    }
    let (text, emotion) = strip_emotion_tags(&request.text);
    (
        SpeechRequest {
            text,
            ..request.clone()
        },
        emotion.map(FacialExpression::from),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::Lang;

    #[test]
    fn tags_become_expressions_and_are_not_spoken() {
        let (r, e) = strip_expression(&SpeechRequest::new("[concerned] I am sorry.", Lang::En));
        assert_eq!(r.text, "I am sorry.");
        assert_eq!(e, Some(FacialExpression::Concerned));
        let (r, e) = strip_expression(&SpeechRequest::new("Plain [1] text.", Lang::En));
        assert_eq!((r.text.as_str(), e), ("Plain [1] text.", None));
    }
}
