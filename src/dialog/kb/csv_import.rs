//! FAQ rows from CSV: header `question,similar,answer`, `similar` split on `|`.

use std::path::Path;

use super::{KbEntry, lang_of};
use crate::dialog::DialogError;

/// Parses one CSV file. Every bad row is reported with its line number; any bad row fails
/// the whole file, so a base is never half-loaded.
pub fn parse_csv(text: &str, path: &Path) -> Result<Vec<KbEntry>, DialogError> {
    // A UTF-8 BOM (Excel writes one) is not part of the header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|f| f.to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(DialogError::KbRows {
                problems: vec![format!("line 1: {e}")],
                path: path.to_path_buf(),
            });
        }
    };
    if header != ["question", "similar", "answer"] {
        return Err(DialogError::KbHeader {
            found: header.join(","),
            path: path.to_path_buf(),
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(format!("line {line}: not valid CSV ({e})"));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() != 3 {
            problems.push(format!(
                "line {line}: expected 3 fields (question,similar,answer), found {}; quote fields that contain commas",
                record.len()
            ));
            continue;
        }
        let (question, similar, answer) = (&record[0], &record[1], &record[2]);
        if question.is_empty() {
            problems.push(format!("line {line}: question is empty"));
            continue;
        }
        if answer.is_empty() {
            problems.push(format!("line {line}: answer is empty"));
            continue;
        }
        entries.push(KbEntry {
            question: question.to_string(),
            similar: similar
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            answer: answer.to_string(),
            lang: lang_of(&format!("{question} {answer}")),
            source: format!("{name}:{line}"),
        });
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(DialogError::KbRows {
            problems,
            path: path.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::Lang;

    #[test]
    fn parses_rows_with_quoted_commas_and_phrasings() {
        let csv = "question,similar,answer\n\"Hours?\",\"When open| Opening times |\",\"9 to 5, daily\"\n退货？,可以退吗|怎么退,30天内可以退货。\n";
        let e = parse_csv(csv, Path::new("x.csv")).expect("valid CSV");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].similar, ["When open", "Opening times"]);
        assert_eq!(e[0].answer, "9 to 5, daily");
        assert_eq!((e[0].lang, e[1].lang), (Lang::En, Lang::Zh));
        assert_eq!(e[1].source, "x.csv:3");
    }
}
