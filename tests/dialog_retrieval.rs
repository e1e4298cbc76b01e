//! Retrieval accuracy on held-out paraphrases (tests/fixtures/dialog/heldout_*.csv): questions
//! written differently from every phrasing in the default KB. Needs the e5 model
//! (scripts/fetch-models.sh); skips with a reason without it, except under CI=true.

use std::path::Path;
use std::sync::Arc;

use avatarcast::dialog::config::default_confidence_threshold;
use avatarcast::dialog::embed::{self, E5Embedder};
use avatarcast::dialog::retrieve::DocRef;
use avatarcast::dialog::{KnowledgeBase, Retriever};
use avatarcast::speech::Lang;

fn heldout(name: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dialog")
        .join(name);
    let mut reader = csv::Reader::from_path(&path).expect("fixture exists");
    reader
        .records()
        .map(|r| {
            let r = r.expect("fixture is valid CSV");
            (r[0].to_string(), r[1].to_string())
        })
        .collect()
}

fn embedder() -> Option<Arc<E5Embedder>> {
    match E5Embedder::load(&embed::default_model_path()) {
        Ok(e) => Some(Arc::new(e)),
        Err(err) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI needs the embedding model: {err}")
        }
        Err(err) => {
            eprintln!("skipping: {err}");
            None
        }
    }
}

/// Top-1 accuracy and the misses, as (question, expected, got).
fn accuracy(
    r: &Retriever,
    set: &[(String, String)],
    lang: Lang,
) -> (f32, Vec<(String, String, String)>) {
    let mut misses = Vec::new();
    for (q, expected) in set {
        let hits = r.search(q, Some(lang), 1).expect("search works");
        let got = match hits.first().map(|h| h.doc) {
            Some(DocRef::Entry(i)) => r.kb().entries[i].question.clone(),
            Some(DocRef::Passage(i)) => format!("passage {}", r.kb().passages[i].source),
            None => "nothing".to_string(),
        };
        if &got != expected {
            misses.push((q.clone(), expected.clone(), got));
        }
    }
    (1.0 - misses.len() as f32 / set.len() as f32, misses)
}

#[test]
fn hybrid_retrieval_top1_is_at_least_90_percent_in_both_languages() {
    let Some(embedder) = embedder() else { return };
    let kb = Arc::new(KnowledgeBase::default_kb().expect("default KB is valid"));
    let cache = tempfile::tempdir().expect("temp dir");
    let start = std::time::Instant::now();
    let r = Retriever::hybrid(kb.clone(), embedder.clone(), cache.path()).expect("KB embeds");
    eprintln!(
        "embedded the default KB in {:.1} s",
        start.elapsed().as_secs_f32()
    );
    for (file, lang) in [("heldout_en.csv", Lang::En), ("heldout_zh.csv", Lang::Zh)] {
        let set = heldout(file);
        assert!(set.len() >= 30, "{file} needs at least 30 questions");
        for (_, expected) in &set {
            assert!(
                kb.entries.iter().any(|e| &e.question == expected),
                "{file}: unknown expected question {expected}"
            );
        }
        let (acc, misses) = accuracy(&r, &set, lang);
        for (q, e, g) in &misses {
            eprintln!(
                "  miss [{}] {q}\n      expected {e}\n      got      {g}",
                lang.code()
            );
        }
        println!(
            "hybrid top-1 accuracy {}: {:.1} % ({} of {})",
            lang.code(),
            acc * 100.0,
            set.len() - misses.len(),
            set.len()
        );
        let scores: Vec<f32> = set
            .iter()
            .map(|(q, _)| {
                r.search(q, Some(lang), 1).expect("search works")[0]
                    .dense
                    .expect("hybrid")
            })
            .collect();
        let threshold = default_confidence_threshold(lang);
        let below = scores.iter().filter(|&&s| s < threshold).count();
        println!(
            "  top score {}: min {:.3}, {below} of {} below the confidence threshold {threshold}",
            lang.code(),
            scores.iter().copied().fold(f32::MAX, f32::min),
            set.len()
        );
        assert!(
            below * 10 <= set.len(),
            "{below} held-out questions would get \"not sure\""
        );
        let (lex_acc, _) = accuracy(&Retriever::lexical(kb.clone()), &set, lang);
        println!("  (BM25 alone {}: {:.1} %)", lang.code(), lex_acc * 100.0);
        assert!(
            acc >= 0.9,
            "top-1 accuracy {} is {:.1} %, below 90 %",
            lang.code(),
            acc * 100.0
        );
    }
    // The second build finds the cache and does not embed again.
    let start = std::time::Instant::now();
    Retriever::hybrid(kb, embedder, cache.path()).expect("KB loads from cache");
    assert!(
        start.elapsed().as_millis() < 1000,
        "cached load took {:?}",
        start.elapsed()
    );
}

#[test]
fn off_topic_questions_score_below_the_confidence_threshold() {
    let Some(embedder) = embedder() else { return };
    let kb = Arc::new(KnowledgeBase::default_kb().expect("default KB is valid"));
    let r = Retriever::hybrid(kb, embedder, &avatarcast::dialog::default_cache_dir())
        .expect("KB embeds");
    let off_topic = [
        ("What is the capital of France?", Lang::En),
        ("Can you recommend a good movie for tonight?", Lang::En),
        ("How do I bake sourdough bread?", Lang::En),
        ("Who won the football match yesterday?", Lang::En),
        ("明天北京会下雨吗？", Lang::Zh),
        ("给我讲个笑话吧", Lang::Zh),
        ("怎么学好数学？", Lang::Zh),
        ("火星离地球有多远？", Lang::Zh),
    ];
    let mut too_high = Vec::new();
    for (q, lang) in off_topic {
        let top = r.search(q, Some(lang), 1).expect("search works")[0];
        let score = top.dense.expect("hybrid");
        println!("off-topic {score:.3}  {q}");
        if score >= default_confidence_threshold(lang) {
            too_high.push(format!("{q} ({score:.3})"));
        }
    }
    assert!(
        too_high.is_empty(),
        "not below the confidence threshold: {too_high:?}"
    );
}

/// The held-out questions must be genuinely different from the KB's phrasings, not copies:
/// no held-out question shares more than 45 % of its character n-grams with any phrasing.
#[test]
fn held_out_questions_are_not_copies_of_kb_phrasings() {
    let kb = KnowledgeBase::default_kb().expect("default KB is valid");
    let grams = |s: &str, n: usize| -> std::collections::HashSet<String> {
        let c: Vec<char> = s.to_lowercase().chars().collect();
        c.windows(n).map(|w| w.iter().collect()).collect()
    };
    for (file, n) in [("heldout_en.csv", 3), ("heldout_zh.csv", 2)] {
        for (q, _) in heldout(file) {
            let g = grams(&q, n);
            for e in &kb.entries {
                for p in e.phrasings() {
                    let h = grams(p, n);
                    let jaccard =
                        g.intersection(&h).count() as f32 / g.union(&h).count().max(1) as f32;
                    assert!(
                        jaccard <= 0.45,
                        "{file}: {q:?} is too close to the KB phrasing {p:?} ({jaccard:.2})"
                    );
                }
            }
        }
    }
}
