//! The GLB container: a 12-byte header, a JSON chunk padded with spaces and a
//! BIN chunk padded with zeros, each a multiple of 4 bytes (glTF 2.0 §4.4).

use super::BuildError;

const MAGIC: u32 = 0x4654_6C67; // "glTF"
const CHUNK_JSON: u32 = 0x4E4F_534A; // "JSON"
const CHUNK_BIN: u32 = 0x004E_4942; // "BIN\0"

/// Packs a glTF JSON document and its binary buffer into GLB bytes.
pub fn write_glb(json: &serde_json::Value, bin: &[u8]) -> Result<Vec<u8>, BuildError> {
    let mut json_bytes = serde_json::to_vec(json)
        .map_err(|e| BuildError::data("glTF JSON", format!("cannot serialise ({e})")))?;
    while json_bytes.len() % 4 != 0 {
        json_bytes.push(b' ');
    }
    let bin_padded = bin.len().div_ceil(4) * 4;
    let total = 12 + 8 + json_bytes.len() + if bin.is_empty() { 0 } else { 8 + bin_padded };
    let total = u32::try_from(total).map_err(|_| BuildError::data("GLB", "larger than 4 GiB"))?;
    let mut out = Vec::with_capacity(total as usize);
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&(json_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&CHUNK_JSON.to_le_bytes());
    out.extend_from_slice(&json_bytes);
    if !bin.is_empty() {
        out.extend_from_slice(&(bin_padded as u32).to_le_bytes());
        out.extend_from_slice(&CHUNK_BIN.to_le_bytes());
        out.extend_from_slice(bin);
        out.resize(total as usize, 0);
    }
    Ok(out)
}

/// Splits GLB bytes into (JSON, BIN); the inverse of [`write_glb`], for tests
/// and for tools that inspect built avatars.
pub fn read_glb(bytes: &[u8]) -> Result<(serde_json::Value, Vec<u8>), BuildError> {
    let bad = |m: &str| BuildError::data("GLB", m.to_string());
    let word = |at: usize| -> Result<u32, BuildError> {
        let b = bytes.get(at..at + 4).ok_or_else(|| bad("truncated"))?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if word(0)? != MAGIC || word(4)? != 2 {
        return Err(bad("not a glTF 2.0 binary (bad magic or version)"));
    }
    if word(8)? as usize != bytes.len() {
        return Err(bad("header length does not match the file size"));
    }
    let json_len = word(12)? as usize;
    if word(16)? != CHUNK_JSON {
        return Err(bad("first chunk is not JSON"));
    }
    let json_bytes = bytes
        .get(20..20 + json_len)
        .ok_or_else(|| bad("JSON chunk truncated"))?;
    let json =
        serde_json::from_slice(json_bytes).map_err(|e| bad(&format!("bad JSON chunk ({e})")))?;
    let mut bin = Vec::new();
    let at = 20 + json_len;
    if at < bytes.len() {
        let bin_len = word(at)? as usize;
        if word(at + 4)? != CHUNK_BIN {
            return Err(bad("second chunk is not BIN"));
        }
        bin = bytes
            .get(at + 8..at + 8 + bin_len)
            .ok_or_else(|| bad("BIN chunk truncated"))?
            .to_vec();
    }
    Ok((json, bin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_aligned_and_padded() {
        // Four string lengths cover every padding amount.
        for x in ["a", "ab", "abc", "abcd"] {
            let json = serde_json::json!({"asset": {"version": "2.0"}, "x": x});
            let raw = serde_json::to_vec(&json).expect("json").len();
            let glb = write_glb(&json, &[1, 2, 3, 4, 5]).expect("writes");
            assert_eq!(glb.len() % 4, 0);
            let json_len = u32::from_le_bytes([glb[12], glb[13], glb[14], glb[15]]) as usize;
            assert_eq!(json_len, raw.div_ceil(4) * 4);
            assert!(
                glb[20 + raw..20 + json_len].iter().all(|&b| b == b' '),
                "JSON padded with spaces"
            );
        }
        let json = serde_json::json!({"asset": {"version": "2.0"}});
        let glb = write_glb(&json, &[1, 2, 3, 4, 5]).expect("writes");
        assert_eq!(&glb[0..4], b"glTF");
        assert_eq!(
            &glb[glb.len() - 3..],
            &[0, 0, 0],
            "BIN is padded with zeros"
        );
        let (back, bin) = read_glb(&glb).expect("reads back");
        assert_eq!(back, json);
        assert_eq!(bin, vec![1, 2, 3, 4, 5, 0, 0, 0]);
    }

    #[test]
    fn rejects_garbage() {
        assert!(read_glb(b"").is_err());
        assert!(read_glb(b"glTF\x02\0\0\0\x05\0\0\0").is_err());
        let mut glb = write_glb(&serde_json::json!({}), &[]).expect("writes");
        glb[20] = b'!';
        assert!(read_glb(&glb).is_err());
    }
}
