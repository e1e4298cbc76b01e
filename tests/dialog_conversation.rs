//! Whole conversations through the dialog engine on the default KB: greeting, answers in
//! the customer's language, follow-up questions, handoff, tone, and masked transcripts.
//! Uses the e5 model when present (hybrid retrieval), else BM25 alone; both must pass.

use avatarcast::dialog::config::DialogConfig;
use avatarcast::dialog::transcript::TranscriptStore;
use avatarcast::dialog::{DialogEngine, DialogEvent, Emotion};
use avatarcast::speech::Lang;

fn engine() -> DialogEngine {
    DialogEngine::from_config(&DialogConfig::default(), None).expect("default engine starts")
}

fn sentences(events: &[DialogEvent]) -> Vec<(String, Lang, Option<Emotion>)> {
    events
        .iter()
        .filter_map(|e| match e {
            DialogEvent::Sentence {
                text,
                lang,
                emotion,
            } => Some((text.clone(), *lang, *emotion)),
            _ => None,
        })
        .collect()
}

fn text(events: &[DialogEvent]) -> String {
    sentences(events)
        .into_iter()
        .map(|s| s.0)
        .collect::<Vec<_>>()
        .join(" ")
}

fn handoff(events: &[DialogEvent]) -> Option<String> {
    events.iter().find_map(|e| match e {
        DialogEvent::Handoff { reason } => Some(reason.clone()),
        _ => None,
    })
}

#[test]
fn greets_answers_and_says_goodbye_in_the_customers_language() {
    let engine = engine();
    let mut s = engine.new_session("t1");
    let hello: Vec<_> = engine.respond(&mut s, "Hello!").collect();
    assert!(text(&hello).contains("welcome"), "{hello:?}");
    assert_eq!(hello.last(), Some(&DialogEvent::End));
    assert_eq!(sentences(&hello)[0].2, Some(Emotion::Smile));

    let hours: Vec<_> = engine
        .respond(&mut s, "What time do you close on weekdays?")
        .collect();
    assert!(text(&hours).contains("9:00 to 21:00"), "{hours:?}");
    assert!(sentences(&hours).iter().all(|s| s.1 == Lang::En));

    let zh: Vec<_> = engine.respond(&mut s, "你们几点关门？").collect();
    assert!(text(&zh).contains("9:00至21:00"), "{zh:?}");
    assert!(sentences(&zh).iter().all(|s| s.1 == Lang::Zh));

    let bye: Vec<_> = engine.respond(&mut s, "再见").collect();
    assert!(text(&bye).contains("再见"), "{bye:?}");
    assert_eq!(s.history().len(), 8);
}

#[test]
fn asks_for_the_order_number_then_answers_with_it() {
    let engine = engine();
    let mut s = engine.new_session("t2");
    let ask: Vec<_> = engine.respond(&mut s, "Where is my parcel?").collect();
    assert!(text(&ask).contains("order number"), "{ask:?}");
    let again: Vec<_> = engine
        .respond(&mut s, "I don't know, it was last week")
        .collect();
    assert!(
        text(&again).contains("HL followed by 8 digits"),
        "{again:?}"
    );
    let answer: Vec<_> = engine.respond(&mut s, "It's HL20481234").collect();
    assert!(
        text(&answer).contains("order HL20481234") && text(&answer).contains("/track/HL20481234"),
        "{answer:?}"
    );

    // Given at once, no follow-up is needed; in Chinese too.
    let mut s = engine.new_session("t3");
    let zh: Vec<_> = engine
        .respond(&mut s, "帮我查一下订单HL55512345的物流")
        .collect();
    assert!(text(&zh).contains("HL55512345"), "{zh:?}");
}

#[test]
fn a_new_question_abandons_the_follow_up() {
    let engine = engine();
    let mut s = engine.new_session("t4");
    engine.respond(&mut s, "Track my delivery").for_each(drop);
    let hours: Vec<_> = engine
        .respond(&mut s, "What are your opening hours?")
        .collect();
    assert!(text(&hours).contains("9:00 to 21:00"), "{hours:?}");
    assert_eq!(s.pending, None);
}

#[test]
fn explicit_requests_for_a_person_hand_off() {
    let engine = engine();
    let mut s = engine.new_session("t5");
    let en: Vec<_> = engine
        .respond(&mut s, "I want to talk to a human")
        .collect();
    assert!(
        handoff(&en).is_some_and(|r| r.contains("asked for a person")),
        "{en:?}"
    );
    let zh: Vec<_> = engine.respond(&mut s, "转人工").collect();
    assert!(handoff(&zh).is_some(), "{zh:?}");
    assert_eq!(sentences(&zh)[0].1, Lang::Zh);
}

#[test]
fn anger_changes_the_tone_and_repeated_anger_hands_off() {
    let engine = engine();
    let mut s = engine.new_session("t6");
    let first: Vec<_> = engine
        .respond(
            &mut s,
            "This is ridiculous, my refund still hasn't arrived!",
        )
        .collect();
    let first_s = sentences(&first);
    assert!(first_s[0].0.contains("sorry"), "{first:?}");
    assert!(
        first_s.iter().all(|s| s.2 == Some(Emotion::Apologetic)),
        "{first:?}"
    );
    assert!(handoff(&first).is_none());
    let second: Vec<_> = engine
        .respond(&mut s, "Unacceptable. Your service is useless")
        .collect();
    assert!(
        handoff(&second).is_some_and(|r| r.contains("angry")),
        "{second:?}"
    );
}

#[test]
fn unknown_questions_get_not_sure_and_a_handoff() {
    let engine = engine();
    let mut s = engine.new_session("t7");
    let r: Vec<_> = engine
        .respond(&mut s, "What is the capital of France?")
        .collect();
    assert!(text(&r).contains("not sure"), "{r:?}");
    assert!(
        handoff(&r).is_some_and(|r| r.contains("low confidence")),
        "{r:?}"
    );
    let zh: Vec<_> = engine.respond(&mut s, "火星离地球有多远？").collect();
    assert!(
        text(&zh).contains("不太确定") && handoff(&zh).is_some(),
        "{zh:?}"
    );
}

#[test]
fn transcripts_are_stored_with_personal_data_masked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t.sqlite");
    let engine = engine().with_transcripts(TranscriptStore::open(&db).expect("db opens"));
    let hybrid = engine.retriever().is_hybrid();
    let mut s = engine.new_session("t8");
    engine.respond(&mut s, "My email is li.wei@example.com and my phone is 13812345678, where is order HL20481234?").for_each(drop);
    engine
        .respond(
            &mut s,
            "我的身份证号是110101199003074578，卡号6222 0212 3456 7890 123",
        )
        .for_each(drop);
    drop(engine);
    let stored = TranscriptStore::open(&db)
        .expect("db opens")
        .session("t8")
        .expect("reads");
    assert_eq!(
        stored.iter().map(|m| m.role.as_str()).collect::<Vec<_>>(),
        ["user", "assistant", "user", "assistant"]
    );
    let all: String = stored
        .iter()
        .map(|m| m.text.clone())
        .collect::<Vec<_>>()
        .join("\n");
    for secret in [
        "li.wei@example.com",
        "13812345678",
        "110101199003074578",
        "6222 0212 3456 7890 123",
    ] {
        assert!(!all.contains(secret), "{secret} leaked into:\n{all}");
    }
    assert!(
        stored[0].text.contains("[email]")
            && stored[0].text.contains("[phone]")
            && stored[0].text.contains("HL20481234")
    );
    assert!(
        stored[2].text.contains("[id]") && stored[2].text.contains("[card]"),
        "{}",
        stored[2].text
    );
    // BM25 alone finds too few of this long message's words in the tracking entry.
    if hybrid {
        assert!(
            stored[1].text.contains("HL20481234"),
            "the answer keeps the order number: {}",
            stored[1].text
        );
    }
    assert_eq!(stored[2].lang, "zh");
}

#[test]
fn chat_once_answers_from_another_kb_and_reports_bad_ones() {
    use avatarcast::dialog::repl::{ChatArgs, run_chat};
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dialog");
    let args = |kb: &str| ChatArgs {
        once: Some("Do you sell bicycles?".into()),
        kb: Some(fixtures.join(kb)),
        config: None,
        transcripts: None,
        no_llm: true,
        tags: false,
    };
    run_chat(&args("good_kb")).expect("chat --once on a good KB");
    let err = run_chat(&args("bad_kb")).expect_err("a bad KB is an error");
    assert!(
        format!("{err:#}").contains("line 3: answer is empty"),
        "{err:#}"
    );
}
