//! The GLB container: a 12-byte header, a JSON chunk and an optional BIN chunk.
//! Parsed by hand so a truncated file says how many bytes were expected.

use super::error::AvatarError;

const MAGIC_GLTF: u32 = 0x4654_6C67; // "glTF"
const CHUNK_JSON: u32 = 0x4E4F_534A; // "JSON"
const CHUNK_BIN: u32 = 0x004E_4942; // "BIN\0"

/// The chunks of a GLB file, borrowed from its bytes.
#[derive(Debug)]
pub(crate) struct Glb<'a> {
    pub json: &'a [u8],
    pub bin: Option<&'a [u8]>,
}

fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let b = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn truncated(what: &str, expected: u64, actual: usize) -> AvatarError {
    AvatarError::TruncatedGlb {
        what: what.to_string(),
        expected,
        actual: actual as u64,
    }
}

/// True when `bytes` start like a GLB file (the magic `glTF`).
pub(crate) fn is_glb(bytes: &[u8]) -> bool {
    read_u32(bytes, 0) == Some(MAGIC_GLTF)
}

pub(crate) fn parse(bytes: &[u8]) -> Result<Glb<'_>, AvatarError> {
    if bytes.len() < 4 || !is_glb(bytes) {
        return Err(AvatarError::NotGltf {
            reason: "the file does not start with the magic bytes `glTF`".into(),
        });
    }
    if bytes.len() < 12 {
        return Err(truncated("the GLB header", 12, bytes.len()));
    }
    let version = read_u32(bytes, 4).unwrap_or(0);
    if version != 2 {
        return Err(AvatarError::NotGltf {
            reason: format!("GLB version {version}, only version 2 is supported"),
        });
    }
    let declared = u64::from(read_u32(bytes, 8).unwrap_or(0));
    if declared > bytes.len() as u64 {
        return Err(truncated(
            "the GLB header's total length",
            declared,
            bytes.len(),
        ));
    }
    // Trailing bytes after the declared length are ignored, as other loaders do.
    let body = &bytes[..declared as usize];
    let mut offset = 12usize;
    let mut json = None;
    let mut bin = None;
    while offset < body.len() {
        let (Some(len), Some(kind)) = (read_u32(body, offset), read_u32(body, offset + 4)) else {
            return Err(truncated(
                "a GLB chunk header",
                offset as u64 + 8,
                body.len(),
            ));
        };
        let start = offset + 8;
        let end = start as u64 + u64::from(len);
        if end > body.len() as u64 {
            let what = if kind == CHUNK_JSON {
                "the JSON chunk"
            } else {
                "a binary chunk"
            };
            return Err(truncated(what, end, body.len()));
        }
        let data = &body[start..end as usize];
        match kind {
            CHUNK_JSON if json.is_none() => json = Some(data),
            CHUNK_BIN if bin.is_none() && json.is_some() => bin = Some(data),
            _ => {} // Unknown chunks must be ignored (glTF 2.0 §4.4.3.1).
        }
        // Chunks are 4-byte aligned; tolerate writers that forget the padding.
        offset = (end as usize)
            .next_multiple_of(4)
            .min(body.len().max(end as usize));
    }
    let json = json.ok_or_else(|| AvatarError::NotGltf {
        reason: "the GLB has no JSON chunk".into(),
    })?;
    Ok(Glb { json, bin })
}

/// Builds a GLB from a JSON text and a binary chunk (tests and tools).
pub fn build_glb(json: &str, bin: &[u8]) -> Vec<u8> {
    let mut json = json.as_bytes().to_vec();
    while json.len() % 4 != 0 {
        json.push(b' ');
    }
    let mut bin = bin.to_vec();
    while bin.len() % 4 != 0 {
        bin.push(0);
    }
    let total = 12 + 8 + json.len() + if bin.is_empty() { 0 } else { 8 + bin.len() };
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&MAGIC_GLTF.to_le_bytes());
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&CHUNK_JSON.to_le_bytes());
    out.extend_from_slice(&json);
    if !bin.is_empty() {
        out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
        out.extend_from_slice(&CHUNK_BIN.to_le_bytes());
        out.extend_from_slice(&bin);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_json_and_bin() {
        let glb = build_glb("{}", &[1, 2, 3]);
        let parsed = parse(&glb).expect("valid GLB");
        assert_eq!(parsed.json, b"{}  ");
        assert_eq!(parsed.bin, Some(&[1u8, 2, 3, 0][..]));
    }

    #[test]
    fn truncation_reports_expected_and_actual_length() {
        let glb = build_glb("{\"asset\":{}}", &[0; 16]);
        let cut = &glb[..glb.len() - 5];
        match parse(cut) {
            Err(AvatarError::TruncatedGlb {
                expected, actual, ..
            }) => {
                assert_eq!(expected, glb.len() as u64);
                assert_eq!(actual, cut.len() as u64);
            }
            other => panic!("expected TruncatedGlb, got {other:?}"),
        }
    }

    #[test]
    fn chunks_after_bin_are_ignored() {
        let mut glb = build_glb("{}", &[9; 4]);
        glb.extend_from_slice(&4u32.to_le_bytes());
        glb.extend_from_slice(b"XTRA");
        glb.extend_from_slice(&[7; 4]);
        let total = glb.len() as u32;
        glb[8..12].copy_from_slice(&total.to_le_bytes());
        let parsed = parse(&glb).expect("valid GLB");
        assert_eq!(parsed.bin, Some(&[9u8; 4][..]));
    }

    #[test]
    fn rejects_other_files() {
        assert!(matches!(
            parse(b"PK\x03\x04"),
            Err(AvatarError::NotGltf { .. })
        ));
    }
}
