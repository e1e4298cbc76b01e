//! The LLM path against a real HTTP server on 127.0.0.1 started by each test. The server
//! speaks the OpenAI streaming protocol (SSE over chunked HTTP), records the requests, and
//! can stall, fail with 500, or send garbage; the engine must stream sentences as they
//! arrive and fall back to the knowledge-base answer on every failure.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::http::{serve_script, write_chunk};

use avatarcast::dialog::config::{DialogConfig, LlmConfig};
use avatarcast::dialog::engine::Polled;
use avatarcast::dialog::{DialogEngine, DialogEvent, Emotion, KnowledgeBase, Retriever};
use avatarcast::speech::Lang;

/// What the server does with one connection.
enum Behaviour {
    /// 200 + SSE: each (delay before, content delta); then `[DONE]`.
    Stream(Vec<(u64, &'static str)>),
    /// 200 + SSE with these raw `data:` payloads (no `[DONE]` unless included).
    Raw(Vec<&'static str>),
    Status500,
    /// Reads the request, then says nothing for this long and closes.
    Hang(u64),
    /// 200 + SSE: these content deltas, then silence for this long, then close.
    StreamThenHang(Vec<&'static str>, u64),
}

fn respond(mut stream: TcpStream, behaviour: Behaviour) -> std::io::Result<()> {
    let sse_head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    match behaviour {
        Behaviour::Stream(deltas) => {
            stream.write_all(sse_head.as_bytes())?;
            write_chunk(
                &mut stream,
                b"data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
            )?;
            for (delay_ms, content) in deltas {
                std::thread::sleep(Duration::from_millis(delay_ms));
                let json = serde_json::json!({"choices": [{"delta": {"content": content}}]});
                write_chunk(&mut stream, format!("data: {json}\n\n").as_bytes())?;
            }
            write_chunk(&mut stream, b"data: [DONE]\n\n")?;
            stream.write_all(b"0\r\n\r\n")
        }
        Behaviour::Raw(lines) => {
            stream.write_all(sse_head.as_bytes())?;
            for l in lines {
                write_chunk(&mut stream, format!("data: {l}\n\n").as_bytes())?;
            }
            stream.write_all(b"0\r\n\r\n")
        }
        Behaviour::Status500 => {
            let body = "{\"error\":{\"message\":\"model overloaded\"}}";
            write!(
                stream,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
        Behaviour::Hang(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            Ok(())
        }
        Behaviour::StreamThenHang(deltas, ms) => {
            stream.write_all(sse_head.as_bytes())?;
            for content in deltas {
                let json = serde_json::json!({"choices": [{"delta": {"content": content}}]});
                write_chunk(&mut stream, format!("data: {json}\n\n").as_bytes())?;
            }
            std::thread::sleep(Duration::from_millis(ms));
            Ok(())
        }
    }
}

fn engine(url: &str, timeout_secs: f64) -> DialogEngine {
    let kb = Arc::new(KnowledgeBase::default_kb().expect("default KB"));
    let config = DialogConfig {
        llm: Some(LlmConfig {
            base_url: url.to_string(),
            model: "test-model".into(),
            api_key_env: None,
            timeout: timeout_secs,
            ca_file: None,
        }),
        ..DialogConfig::default()
    };
    // BM25 keeps these tests independent of the embedding model; the LLM path is the subject.
    DialogEngine::new(Retriever::lexical(kb), &config)
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

const KB_HOURS_EN: &str = "Our stores are open Monday to Friday from 9:00 to 21:00";

#[test]
fn streams_sentences_as_they_arrive_with_emotion_tags() {
    let server = serve_script(
        respond,
        vec![Behaviour::Stream(vec![
            (0, "[smile] Hap"),
            (0, "py to help!"),
            (0, " [calm] We open at 9:00 on week"),
            (600, "days. Weekends"),
            (0, " start at 10:00"),
        ])],
    );
    let engine = engine(&server.url, 2.0);
    let mut session = engine.new_session("llm1");
    let start = Instant::now();
    let mut reply = engine.respond(&mut session, "What are your opening hours?");
    assert!(
        start.elapsed() < Duration::from_millis(100),
        "respond must not wait for the LLM"
    );
    let mut events = Vec::new();
    let mut first_sentence_at = None;
    loop {
        match reply.next_within(Duration::from_millis(20)) {
            Polled::Event(e) => {
                if first_sentence_at.is_none() && matches!(e, DialogEvent::Sentence { .. }) {
                    first_sentence_at = Some(start.elapsed());
                }
                events.push(e);
            }
            Polled::Pending => continue,
            Polled::Finished => break,
        }
    }
    let total = start.elapsed();
    drop(reply);
    let s = sentences(&events);
    assert_eq!(
        s,
        [
            ("Happy to help!".to_string(), Lang::En, Some(Emotion::Smile)),
            (
                "We open at 9:00 on weekdays.".to_string(),
                Lang::En,
                Some(Emotion::Calm)
            ),
            (
                "Weekends start at 10:00".to_string(),
                Lang::En,
                Some(Emotion::Neutral)
            ),
        ]
    );
    assert_eq!(events.last(), Some(&DialogEvent::End));
    let first = first_sentence_at.expect("a sentence arrived");
    assert!(
        total - first >= Duration::from_millis(500),
        "first sentence at {first:?}, end at {total:?}: not streamed"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let (head, body) = requests[0].split_once("\r\n\r\n").expect("head and body");
    assert!(
        head.starts_with("POST /v1/chat/completions HTTP/1.1"),
        "{head}"
    );
    let json: serde_json::Value = serde_json::from_str(body).expect("JSON body");
    assert_eq!(json["stream"], true);
    assert_eq!(json["model"], "test-model");
    let messages = json["messages"].as_array().expect("messages");
    assert_eq!(messages[0]["role"], "system");
    assert!(
        messages[0]["content"]
            .as_str()
            .is_some_and(|c| c.contains("9:00 to 21:00")),
        "KB context in the prompt (RAG)"
    );
    assert_eq!(
        messages.last().expect("user")["content"],
        "What are your opening hours?"
    );
    // The answer joined the session history, so the next prompt carries it.
    assert_eq!(
        session.history().last().map(|t| t.text.as_str()),
        Some("Happy to help! We open at 9:00 on weekdays. Weekends start at 10:00")
    );
}

#[test]
fn mixed_chinese_and_latin_stream_splits_per_sentence() {
    let server = serve_script(
        respond,
        vec![Behaviour::Stream(vec![
            (0, "【smile】您好！我们支持Visa、银联和"),
            (20, "Apple Pay。[calm] Cards like Visa work too. 线上"),
            (20, "订单也可以用支付宝。"),
        ])],
    );
    let engine = engine(&server.url, 2.0);
    let mut session = engine.new_session("llm2");
    let events: Vec<_> = engine
        .respond(&mut session, "你们支持哪些付款方式？")
        .collect();
    let s = sentences(&events);
    let texts: Vec<&str> = s.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        texts,
        [
            "您好！",
            "我们支持Visa、银联和Apple Pay。",
            "Cards like Visa work too.",
            "线上订单也可以用支付宝。"
        ]
    );
    assert_eq!(
        s.iter().map(|x| x.1).collect::<Vec<_>>(),
        [Lang::Zh, Lang::Zh, Lang::En, Lang::Zh]
    );
    assert_eq!(s[0].2, Some(Emotion::Smile));
    assert_eq!(s[2].2, Some(Emotion::Calm));
    server.requests();
}

/// Runs one failing exchange and returns the events and how long it took.
fn failing(behaviour: Behaviour, timeout_secs: f64) -> (Vec<DialogEvent>, Duration) {
    let server = serve_script(respond, vec![behaviour]);
    let engine = engine(&server.url, timeout_secs);
    let mut session = engine.new_session("fail");
    let start = Instant::now();
    let events: Vec<_> = engine
        .respond(&mut session, "What are your opening hours?")
        .collect();
    let took = start.elapsed();
    server.requests();
    (events, took)
}

#[track_caller]
fn assert_kb_fallback(events: &[DialogEvent]) {
    let s = sentences(events);
    assert!(
        s.first().is_some_and(|x| x.0.starts_with(KB_HOURS_EN)),
        "expected the KB answer, got {events:?}"
    );
    assert_eq!(events.last(), Some(&DialogEvent::End));
}

#[test]
fn a_hanging_server_times_out_and_the_kb_answers() {
    let (events, took) = failing(Behaviour::Hang(3000), 0.4);
    assert_kb_fallback(&events);
    assert!(
        took < Duration::from_millis(2500),
        "gave up after {took:?}, expected about the 0.4 s timeout"
    );
}

#[test]
fn http_500_falls_back_to_the_kb() {
    let (events, _) = failing(Behaviour::Status500, 2.0);
    assert_kb_fallback(&events);
}

#[test]
fn malformed_chunks_fall_back_to_the_kb() {
    let (events, _) = failing(Behaviour::Raw(vec!["<html>502 Bad Gateway</html>"]), 2.0);
    assert_kb_fallback(&events);
    let (events, _) = failing(
        Behaviour::Raw(vec!["{\"choices\":[{\"delta\":{\"content\":\"Hel"]),
        2.0,
    );
    assert_kb_fallback(&events);
    let (events, _) = failing(Behaviour::Raw(vec!["{\"unexpected\":true}", "[DONE]"]), 2.0);
    assert_kb_fallback(&events);
}

const KB_HOURS_EN_1: &str = "Our stores are open Monday to Friday from 9:00 to 21:00, and Saturday and Sunday from 10:00 to 22:00.";
const KB_HOURS_EN_2: &str =
    "The Airport Plaza store follows flight hours and opens from 6:00 to 23:00 every day.";

/// The sentences of a reply cut off mid-way: what the LLM said, then the completion.
#[track_caller]
fn assert_completed(events: &[DialogEvent], from_llm: &[&str], from_kb: &[&str]) {
    let s = sentences(events);
    let texts: Vec<&str> = s.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(&texts[..from_llm.len()], from_llm, "{texts:?}");
    assert_eq!(&texts[texts.len() - from_kb.len()..], from_kb, "{texts:?}");
    let bridge = &texts[from_llm.len()..texts.len() - from_kb.len()];
    assert!(
        !bridge.is_empty() && bridge.iter().any(|t| t.contains("cut off")),
        "a bridge line between the two parts: {texts:?}"
    );
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        texts.len(),
        "a sentence was repeated: {texts:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, DialogEvent::Handoff { .. }))
    );
    assert_eq!(events.last(), Some(&DialogEvent::End));
}

#[test]
fn a_stream_cut_before_done_is_completed_from_the_kb() {
    // The connection closes after one and a half sentences (no [DONE]).
    let good = r#"{"choices":[{"delta":{"content":"[smile] We open at nine. And on"}}]}"#;
    let (events, _) = failing(Behaviour::Raw(vec![good]), 2.0);
    assert_completed(
        &events,
        &["We open at nine."],
        &[KB_HOURS_EN_1, KB_HOURS_EN_2],
    );
}

#[test]
fn a_malformed_chunk_mid_answer_completes_without_repeating() {
    // The LLM already quoted the KB's first sentence; only the second one is missing.
    let said = serde_json::json!({"choices": [{"delta": {"content":
        format!("Happy to help! {KB_HOURS_EN_1} The Airport")}}]})
    .to_string();
    // The scripted server takes static payloads; one leaked string per test run is fine.
    let said: &'static str = Box::leak(said.into_boxed_str());
    let (events, _) = failing(
        Behaviour::Raw(vec![said, "{\"choices\":[{\"delta\":{\"content\":\"Pla"]),
        2.0,
    );
    assert_completed(
        &events,
        &["Happy to help!", KB_HOURS_EN_1],
        &[KB_HOURS_EN_2],
    );
}

#[test]
fn a_stall_between_tokens_times_out_and_completes_from_the_kb() {
    let (events, took) = failing(
        Behaviour::StreamThenHang(vec!["[smile] Happy to help! On week"], 3000),
        0.4,
    );
    assert_completed(
        &events,
        &["Happy to help!"],
        &[KB_HOURS_EN_1, KB_HOURS_EN_2],
    );
    assert!(
        took < Duration::from_millis(2500),
        "gave up after {took:?}, expected about the 0.4 s timeout"
    );
}

#[test]
fn a_chinese_answer_cut_off_is_completed_in_chinese() {
    let server = serve_script(
        respond,
        vec![Behaviour::StreamThenHang(
            vec!["您好！门店营业时间为周一至周五9:00至21:00，周六周日10:00至22:00。机场"],
            1500,
        )],
    );
    let engine = engine(&server.url, 0.4);
    let mut session = engine.new_session("cut-zh");
    let events: Vec<_> = engine
        .respond(&mut session, "你们的营业时间是什么？")
        .collect();
    server.requests();
    let s = sentences(&events);
    let texts: Vec<&str> = s.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        texts[..2],
        [
            "您好！",
            "门店营业时间为周一至周五9:00至21:00，周六周日10:00至22:00。"
        ]
    );
    assert!(texts[2].contains("中断"), "{texts:?}");
    assert_eq!(
        texts.last(),
        Some(&"机场广场店按航班时间营业，每天6:00至23:00。")
    );
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.starts_with("门店营业时间"))
            .count(),
        1,
        "{texts:?}"
    );
    assert!(s.iter().all(|x| x.1 == Lang::Zh));
}

#[test]
fn an_empty_answer_falls_back_to_the_kb() {
    let (events, _) = failing(Behaviour::Stream(vec![]), 2.0);
    assert_kb_fallback(&events);
}

#[test]
fn no_server_at_all_falls_back_to_the_kb() {
    // Bind and drop a listener to get a port that refuses connections.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let engine = engine(&format!("http://127.0.0.1:{port}/v1"), 1.0);
    let mut session = engine.new_session("refused");
    let events: Vec<_> = engine
        .respond(&mut session, "What are your opening hours?")
        .collect();
    assert_kb_fallback(&events);
}
