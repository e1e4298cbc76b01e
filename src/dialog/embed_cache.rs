//! On-disk cache of the knowledge base's embeddings, keyed by a hash of the KB content and
//! the model file, so a changed KB or model rebuilds it and an unchanged one loads in ms.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::DialogError;
use super::embed::EMBEDDING_DIM;

const MAGIC: &[u8; 8] = b"AVCKBE01";

/// The cache folder: `$AVATARCAST_CACHE_DIR/kb`, else `.cache/kb` in the current directory.
pub fn default_cache_dir() -> PathBuf {
    match std::env::var_os("AVATARCAST_CACHE_DIR") {
        Some(dir) => PathBuf::from(dir).join("kb"),
        None => PathBuf::from(".cache").join("kb"),
    }
}

/// A cache key from the KB hash, the list of embedded texts, the model file's identity
/// (its size plus a hash of its first and last MiB: cheap, and any re-quantisation or
/// version change alters both) and the engine build.
pub fn cache_key(
    kb_hash: &[u8; 32],
    texts_hash: &[u8; 32],
    model: &Path,
) -> Result<String, DialogError> {
    let io = |source| DialogError::Cache {
        source,
        path: model.to_path_buf(),
    };
    let mut file = std::fs::File::open(model).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut head = vec![0u8; 1 << 20];
    let n = read_up_to(&mut file, &mut head).map_err(io)?;
    let mut hasher = Sha256::new();
    hasher.update(kb_hash);
    hasher.update(texts_hash);
    hasher.update(len.to_le_bytes());
    hasher.update(&head[..n]);
    // The engine build (set by build.rs): patched or not, AVX2 or scalar round differently.
    hasher.update(option_env!("AVATARCAST_E5_ENGINE").unwrap_or("").as_bytes());
    if len > (2 << 20) {
        use std::io::Seek;
        file.seek(std::io::SeekFrom::End(-(1 << 20))).map_err(io)?;
        let n = read_up_to(&mut file, &mut head).map_err(io)?;
        hasher.update(&head[..n]);
    }
    let digest: [u8; 32] = hasher.finalize().into();
    Ok(digest.iter().take(16).map(|b| format!("{b:02x}")).collect())
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Loads `count` cached vectors, or `None` when the file is absent or does not match.
pub fn load(dir: &Path, key: &str, count: usize) -> Option<Vec<f32>> {
    let bytes = std::fs::read(dir.join(format!("{key}.emb"))).ok()?;
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    let (n, body) = body.split_at_checked(8)?;
    let n = u64::from_le_bytes(n.try_into().ok()?) as usize;
    if n != count || body.len() != n * EMBEDDING_DIM * 4 {
        return None;
    }
    Some(
        body.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Writes vectors atomically (temp file + rename), so a crash never leaves a torn cache.
pub fn store(dir: &Path, key: &str, vectors: &[f32]) -> Result<(), DialogError> {
    let path = dir.join(format!("{key}.emb"));
    let io = |source| DialogError::Cache {
        source,
        path: path.clone(),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut bytes = Vec::with_capacity(16 + vectors.len() * 4);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&((vectors.len() / EMBEDDING_DIM) as u64).to_le_bytes());
    for v in vectors {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    // Unique per process and call, so concurrent writers never share a temp file.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!("{key}.emb.tmp{}-{n}", std::process::id()));
    std::fs::write(&tmp, &bytes).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_wrong_counts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let v: Vec<f32> = (0..EMBEDDING_DIM * 2).map(|i| i as f32 * 0.5).collect();
        store(dir.path(), "k", &v).expect("store");
        assert_eq!(load(dir.path(), "k", 2), Some(v));
        assert_eq!(load(dir.path(), "k", 3), None);
        assert_eq!(load(dir.path(), "other", 2), None);
    }
}
