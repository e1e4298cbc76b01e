//! Buffers and buffer views: GLB BIN chunk, external files, data URIs, and
//! views decoded from EXT_meshopt_compression.

use std::collections::HashMap;
use std::path::Path;

use gltf::json::Root;

use super::error::AvatarError;
use super::meshopt;
use super::uri;

/// The parsed document and every byte it refers to.
pub(crate) struct GltfData {
    pub root: Root,
    buffers: Vec<Vec<u8>>,
    /// Views whose bytes come from EXT_meshopt_compression, decoded up front.
    decoded_views: HashMap<usize, Vec<u8>>,
}

/// Bytes of one buffer view and its declared stride.
pub(crate) struct ViewBytes<'a> {
    pub bytes: &'a [u8],
    pub stride: Option<usize>,
}

fn meshopt_fallback(buffer: &gltf::json::Buffer) -> bool {
    buffer
        .extensions
        .as_ref()
        .and_then(|e| e.others.get("EXT_meshopt_compression"))
        .and_then(|m| m.get("fallback"))
        .and_then(|f| f.as_bool())
        .unwrap_or(false)
}

fn load_buffer(
    index: usize,
    buffer: &gltf::json::Buffer,
    bin: Option<&[u8]>,
    base_dir: Option<&Path>,
) -> Result<Vec<u8>, AvatarError> {
    let declared = buffer.byte_length.0;
    let bytes = match (&buffer.uri, index, bin) {
        (Some(uri), _, _) => match uri::decode_data_uri(uri) {
            Some(decoded) => decoded.map_err(|reason| AvatarError::BadBuffer {
                buffer: index,
                reason: format!("its data URI is malformed: {reason}"),
            })?,
            None => {
                let path = base_dir
                    .unwrap_or(Path::new(""))
                    .join(uri::percent_decode(uri));
                if base_dir.is_none() {
                    return Err(AvatarError::MissingBufferFile {
                        buffer: index,
                        source: std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "external files need a .gltf path, not bytes",
                        ),
                        path,
                    });
                }
                std::fs::read(&path).map_err(|source| AvatarError::MissingBufferFile {
                    buffer: index,
                    source,
                    path,
                })?
            }
        },
        (None, 0, Some(bin)) => bin.to_vec(),
        // A buffer without data: EXT_meshopt_compression's fallback, or one no
        // view reads. Views that do read it fail their bounds check.
        (None, _, _) => return Ok(Vec::new()),
    };
    if (bytes.len() as u64) < declared && !meshopt_fallback(buffer) {
        return Err(AvatarError::BadBuffer {
            buffer: index,
            reason: format!(
                "it declares {declared} bytes but has only {}; the file is truncated",
                bytes.len()
            ),
        });
    }
    Ok(bytes)
}

impl GltfData {
    pub fn new(
        root: Root,
        bin: Option<&[u8]>,
        base_dir: Option<&Path>,
    ) -> Result<GltfData, AvatarError> {
        let buffers = root
            .buffers
            .iter()
            .enumerate()
            .map(|(i, b)| load_buffer(i, b, bin, base_dir))
            .collect::<Result<Vec<_>, _>>()?;
        let mut data = GltfData {
            root,
            buffers,
            decoded_views: HashMap::new(),
        };
        for (i, view) in data.root.buffer_views.iter().enumerate() {
            let ext = view
                .extensions
                .as_ref()
                .and_then(|e| e.others.get("EXT_meshopt_compression"));
            if let Some(ext) = ext {
                let decoded = meshopt::decode_view(i, ext, &data.buffers)?;
                data.decoded_views.insert(i, decoded);
            }
        }
        Ok(data)
    }

    /// The bytes of buffer view `index`, bounds-checked against its buffer.
    pub fn view(&self, index: usize, referrer: &str) -> Result<ViewBytes<'_>, AvatarError> {
        let view =
            self.root
                .buffer_views
                .get(index)
                .ok_or_else(|| AvatarError::IndexOutOfRange {
                    kind: "bufferView",
                    index,
                    count: self.root.buffer_views.len(),
                    referrer: referrer.to_string(),
                })?;
        let stride = view.byte_stride.map(|s| s.0);
        if let Some(decoded) = self.decoded_views.get(&index) {
            return Ok(ViewBytes {
                bytes: decoded,
                stride,
            });
        }
        let buffer_index = view.buffer.value();
        let buffer =
            self.buffers
                .get(buffer_index)
                .ok_or_else(|| AvatarError::IndexOutOfRange {
                    kind: "buffer",
                    index: buffer_index,
                    count: self.buffers.len(),
                    referrer: format!("bufferView {index}"),
                })?;
        let start = view.byte_offset.map_or(0, |o| o.0);
        let end = start.saturating_add(view.byte_length.0);
        if end > buffer.len() as u64 {
            return Err(AvatarError::BadBuffer {
                buffer: buffer_index,
                reason: format!(
                    "bufferView {index} reads bytes {start}..{end} but the buffer has {} bytes; \
                     the file is corrupt or truncated",
                    buffer.len()
                ),
            });
        }
        Ok(ViewBytes {
            bytes: &buffer[start as usize..end as usize],
            stride,
        })
    }
}
