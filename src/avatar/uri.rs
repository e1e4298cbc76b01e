//! glTF URIs: `data:` URIs (base64) and relative file paths (percent-encoded).

/// The payload of a `data:...;base64,` URI, or `None` if `uri` is not one.
/// `Some(Err(..))` when it is one but the base64 is malformed.
pub(crate) fn decode_data_uri(uri: &str) -> Option<Result<Vec<u8>, String>> {
    let rest = uri.strip_prefix("data:")?;
    let Some((header, payload)) = rest.split_once(',') else {
        return Some(Err("data URI has no comma".into()));
    };
    if !header.ends_with(";base64") {
        // Plain data URIs are percent-encoded text; glTF writers never use them
        // for binary data, but decode them anyway.
        return Some(Ok(percent_decode(payload).into_bytes()));
    }
    Some(decode_base64(payload))
}

fn base64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Standard or URL-safe base64, padding optional, whitespace ignored.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for (i, &c) in text.as_bytes().iter().enumerate() {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = base64_value(c).ok_or_else(|| format!("invalid base64 character at {i}"))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// `%20` → space etc.; invalid escapes are kept as written.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64_data_uris() {
        let got = decode_data_uri("data:application/octet-stream;base64,AAECAw==");
        assert_eq!(got, Some(Ok(vec![0, 1, 2, 3])));
        assert_eq!(decode_base64("aGVsbG8"), Ok(b"hello".to_vec()));
        assert!(decode_base64("a$b").is_err());
        assert_eq!(decode_data_uri("textures/skin.png"), None);
    }

    #[test]
    fn percent_decodes_paths() {
        assert_eq!(percent_decode("my%20skin.png"), "my skin.png");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zz"), "a%zz");
    }
}
