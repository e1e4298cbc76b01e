//! The process's one ONNX Runtime environment, shared by every model that runs
//! on `ort` (the Piper voice today).
//!
//! ort allows a single environment per process, and with `load-dynamic` the
//! runtime is a shared library opened at run time. It is looked for, in order,
//! at `$ORT_DYLIB_PATH`, then `vendor/onnxruntime/libonnxruntime.so.1.31.1`
//! under the current directory and under the source tree this binary was
//! built from (where `scripts/fetch-models.sh` puts it).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The ONNX Runtime release `scripts/fetch-models.sh` installs and the code is tested with.
pub const ORT_DYLIB_NAME: &str = "libonnxruntime.so.1.31.1";

/// Why ONNX Runtime could not be started. Cloned for every caller after the first.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OnnxError {
    #[error(
        "ONNX Runtime is not installed; run scripts/fetch-models.sh (it unpacks the PyPI \
         onnxruntime wheel into vendor/onnxruntime/) or set ORT_DYLIB_PATH to \
         libonnxruntime.so (1.17 or newer); looked at: {looked_at}"
    )]
    NotFound { looked_at: String },
    #[error(
        "ONNX Runtime failed to start ({reason}); reinstall it with scripts/fetch-models.sh or \
         point ORT_DYLIB_PATH at another copy: {path:?}"
    )]
    Start { reason: String, path: PathBuf },
}

/// Where the runtime library is, if anywhere (see the module docs for the order).
pub fn dylib_path() -> Result<PathBuf, OnnxError> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        // An explicit setting is used even if missing, so the error names it.
        return Ok(PathBuf::from(path));
    }
    let relative = Path::new("vendor/onnxruntime").join(ORT_DYLIB_NAME);
    let candidates = [
        relative.clone(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join(&relative),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| OnnxError::NotFound {
            looked_at: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The shared environment, started on first use.
pub fn environment() -> Result<&'static ort::environment::Environment, OnnxError> {
    static ENV: OnceLock<Result<ort::environment::Environment, OnnxError>> = OnceLock::new();
    ENV.get_or_init(|| {
        let path = dylib_path()?;
        let start = |reason: String| OnnxError::Start {
            reason,
            path: path.clone(),
        };
        if !path.is_file() {
            return Err(OnnxError::NotFound {
                looked_at: format!("{} (ORT_DYLIB_PATH)", path.display()),
            });
        }
        ort::init_from(&path)
            .map_err(|e| start(e.to_string()))?
            .with_name("avatarcast")
            .with_telemetry(false)
            .build()
            .map_err(|e| start(e.to_string()))
    })
    .as_ref()
    .map_err(Clone::clone)
}
