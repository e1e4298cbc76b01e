//! Passages from Markdown: text is grouped under its nearest heading and cut into pieces
//! of at most ~600 characters at paragraph boundaries, a size that fits an answer and a
//! prompt's context alike.

use std::path::Path;

use super::{Passage, lang_of};

const MAX_PASSAGE_CHARS: usize = 600;

/// Splits a Markdown document into passages. Never fails: any text is a valid document.
pub fn split_passages(text: &str, path: &Path) -> Vec<Passage> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut passages = Vec::new();
    let mut title = String::new();
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |title: &str, paragraphs: &mut Vec<String>, out: &mut Vec<Passage>| {
        let mut chunk = String::new();
        for p in paragraphs.drain(..) {
            if !chunk.is_empty() && chunk.chars().count() + p.chars().count() > MAX_PASSAGE_CHARS {
                out.push(passage(title, &chunk, &name));
                chunk.clear();
            }
            if !chunk.is_empty() {
                chunk.push('\n');
            }
            chunk.push_str(&p);
        }
        if !chunk.is_empty() {
            out.push(passage(title, &chunk, &name));
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix('#') {
            push_paragraph(&mut current, &mut paragraphs);
            flush(&title, &mut paragraphs, &mut passages);
            title = heading.trim_start_matches('#').trim().to_string();
        } else if trimmed.is_empty() {
            push_paragraph(&mut current, &mut paragraphs);
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(trimmed.trim_start_matches(['-', '*', '>']).trim());
        }
    }
    push_paragraph(&mut current, &mut paragraphs);
    flush(&title, &mut paragraphs, &mut passages);
    passages
}

fn push_paragraph(current: &mut String, paragraphs: &mut Vec<String>) {
    if !current.trim().is_empty() {
        paragraphs.push(std::mem::take(current));
    }
    current.clear();
}

fn passage(title: &str, text: &str, name: &str) -> Passage {
    Passage {
        title: title.to_string(),
        text: text.to_string(),
        lang: lang_of(&format!("{title} {text}")),
        source: format!("{name}#{title}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_follow_headings() {
        let md = "# Stores\nIntro line.\n\n## Downtown\n88 Harbor Street.\nOpen daily.\n\n- Parking: yes\n";
        let p = split_passages(md, Path::new("s.md"));
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].title.as_str(), p[0].text.as_str()),
            ("Stores", "Intro line.")
        );
        assert_eq!(p[1].title, "Downtown");
        assert_eq!(p[1].text, "88 Harbor Street. Open daily.\nParking: yes");
    }
}
