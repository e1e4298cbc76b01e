//! Server-sent events: `data:` lines grouped into events by blank lines.

use std::io::BufRead;

/// Reads the next event's data (multiple `data:` lines joined by `\n`), `Ok(None)` at the
/// end of the stream. Comments (`:`) and other fields (`event:`, `id:`) are skipped.
pub fn next_event(reader: &mut dyn BufRead) -> std::io::Result<Option<String>> {
    let mut data: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(data);
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if data.is_some() {
                return Ok(data);
            }
            continue;
        }
        if let Some(rest) = l.strip_prefix("data:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(rest);
                }
                None => data = Some(rest.to_string()),
            }
        } else if !l.starts_with(':') && !l.contains(':') {
            // Not SSE at all (e.g. an HTML error page): hand it up as data so the JSON
            // parser reports it as malformed instead of silently skipping it.
            return Ok(Some(l.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_data_lines_into_events() {
        let mut input: &[u8] = b": keep-alive\n\ndata: {\"a\":1}\n\nevent: x\ndata: one\ndata: two\n\ndata: [DONE]\n\n";
        assert_eq!(
            next_event(&mut input).expect("reads").as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(
            next_event(&mut input).expect("reads").as_deref(),
            Some("one\ntwo")
        );
        assert_eq!(
            next_event(&mut input).expect("reads").as_deref(),
            Some("[DONE]")
        );
        assert_eq!(next_event(&mut input).expect("reads"), None);
    }
}
