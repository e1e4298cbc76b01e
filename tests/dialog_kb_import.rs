//! Importing knowledge bases: good folders load completely, bad rows fail with every bad
//! line number and nothing half-loaded, and the header is checked.

use std::path::Path;

use avatarcast::dialog::{DialogError, KnowledgeBase};
use avatarcast::speech::Lang;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dialog")
        .join(name)
}

#[test]
fn a_folder_loads_csv_rows_and_markdown_passages() {
    let kb = KnowledgeBase::load(&fixture("good_kb")).expect("good KB loads");
    assert_eq!(kb.entries.len(), 2);
    assert_eq!(
        kb.entries[0].similar,
        ["Can I buy a bike here", "Bikes for sale"]
    );
    assert_eq!(
        (kb.entries[0].lang, kb.entries[1].lang),
        (Lang::En, Lang::Zh)
    );
    assert_eq!(kb.passages.len(), 1);
    assert_eq!(kb.passages[0].title, "Bicycle service");
}

#[test]
fn bad_rows_are_all_reported_with_line_numbers_and_nothing_loads() {
    let err = KnowledgeBase::load(&fixture("bad_kb")).expect_err("bad rows must fail the load");
    let msg = err.to_string();
    let DialogError::KbRows { problems, .. } = &err else {
        panic!("expected KbRows, got {err:?}")
    };
    assert_eq!(problems.len(), 3, "{msg}");
    assert!(msg.contains("line 3: answer is empty"), "{msg}");
    assert!(msg.contains("line 4: question is empty"), "{msg}");
    assert!(msg.contains("line 5: expected 3 fields"), "{msg}");
    assert!(
        msg.contains("3 bad row(s)") && msg.ends_with("faq.csv\""),
        "{msg}"
    );
}

#[test]
fn wrong_header_is_explained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kb.csv");
    std::fs::write(&path, "q,a\nhi,hello\n").expect("write");
    let msg = KnowledgeBase::load(&path)
        .expect_err("wrong header")
        .to_string();
    assert!(
        msg.contains("`question,similar,answer`") && msg.contains("found `q,a`"),
        "{msg}"
    );
}

#[test]
fn bom_and_crlf_from_spreadsheets_are_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kb.csv");
    std::fs::write(
        &path,
        "\u{feff}question,similar,answer\r\nHi?,Hello|Hey,Hello there.\r\n",
    )
    .expect("write");
    let kb = KnowledgeBase::load(&path).expect("loads");
    assert_eq!(kb.entries[0].answer, "Hello there.");
}

#[test]
fn missing_path_and_empty_folder_fail_clearly() {
    let msg = KnowledgeBase::load(Path::new("/nonexistent/kb.csv"))
        .expect_err("missing")
        .to_string();
    assert!(
        msg.contains("cannot read the knowledge base") && msg.ends_with("kb.csv\""),
        "{msg}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(matches!(
        KnowledgeBase::load(dir.path()),
        Err(DialogError::KbEmpty { .. })
    ));
}

#[test]
fn content_hash_changes_with_content() {
    let a = KnowledgeBase::load(&fixture("good_kb")).expect("loads");
    let b = KnowledgeBase::load(&fixture("good_kb")).expect("loads");
    assert_eq!(a.content_hash(), b.content_hash());
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("kb.csv"),
        "question,similar,answer\nA?,B,C.\n",
    )
    .expect("write");
    let c = KnowledgeBase::load(dir.path()).expect("loads");
    assert_ne!(a.content_hash(), c.content_hash());
}
