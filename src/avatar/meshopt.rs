//! EXT_meshopt_compression: buffer views stored compressed in another buffer.
//! Spec: github.com/KhronosGroup/glTF/tree/main/extensions/2.0/Vendor/EXT_meshopt_compression
//!
//! We call meshoptimizer's C decoders through the `meshopt` crate's FFI because
//! the safe wrappers need the vertex size as a Rust type. The C code asserts
//! (aborts, or in release silently misbehaves) on bad sizes, so every size is
//! checked here first; the decoders themselves are safe on untrusted bytes.

use serde_json::Value;

use super::error::AvatarError;

fn bad(view: usize, reason: impl Into<String>) -> AvatarError {
    AvatarError::BadMeshopt {
        view,
        reason: reason.into(),
    }
}

fn field_u64(ext: &Value, name: &str) -> Option<u64> {
    ext.get(name).and_then(Value::as_u64)
}

/// Decodes one compressed view into `count * byteStride` bytes.
pub(crate) fn decode_view(
    view: usize,
    ext: &Value,
    buffers: &[Vec<u8>],
) -> Result<Vec<u8>, AvatarError> {
    let buffer = field_u64(ext, "buffer").ok_or_else(|| bad(view, "no `buffer`"))? as usize;
    let offset = field_u64(ext, "byteOffset").unwrap_or(0);
    let length = field_u64(ext, "byteLength").ok_or_else(|| bad(view, "no `byteLength`"))?;
    let stride = field_u64(ext, "byteStride").ok_or_else(|| bad(view, "no `byteStride`"))? as usize;
    let count = field_u64(ext, "count").ok_or_else(|| bad(view, "no `count`"))? as usize;
    let mode = ext.get("mode").and_then(Value::as_str).unwrap_or("");
    let filter = ext.get("filter").and_then(Value::as_str).unwrap_or("NONE");

    let source = buffers
        .get(buffer)
        .ok_or_else(|| bad(view, format!("buffer {buffer} does not exist")))?;
    let end = offset.saturating_add(length);
    if end > source.len() as u64 {
        return Err(bad(
            view,
            format!(
                "compressed bytes {offset}..{end} lie outside buffer {buffer} ({} bytes)",
                source.len()
            ),
        ));
    }
    let encoded = &source[offset as usize..end as usize];
    // A decoded view cannot be larger than the file could plausibly describe;
    // this keeps a corrupt `count` from allocating terabytes.
    let total = count
        .checked_mul(stride)
        .filter(|&t| t <= 1 << 31)
        .ok_or_else(|| bad(view, "count * byteStride is too large"))?;

    match mode {
        "ATTRIBUTES" => {
            if stride == 0 || stride > 256 || stride % 4 != 0 {
                return Err(bad(
                    view,
                    format!("ATTRIBUTES byteStride {stride} is not a multiple of 4 in 4..=256"),
                ));
            }
            let mut out = vec![0u32; total / 4];
            // SAFETY: `out` holds count * stride bytes, the size the decoder
            // writes; stride was checked against the decoder's preconditions.
            let rc = unsafe {
                ::meshopt::ffi::meshopt_decodeVertexBuffer(
                    out.as_mut_ptr().cast(),
                    count,
                    stride,
                    encoded.as_ptr(),
                    encoded.len(),
                )
            };
            if rc != 0 {
                return Err(bad(view, format!("vertex decoder failed with code {rc}")));
            }
            apply_filter(view, filter, &mut out, count, stride)?;
            Ok(out.iter().flat_map(|w| w.to_le_bytes()).collect())
        }
        "TRIANGLES" | "INDICES" => {
            if stride != 2 && stride != 4 {
                return Err(bad(
                    view,
                    format!("{mode} byteStride {stride} is not 2 or 4"),
                ));
            }
            if mode == "TRIANGLES" && count % 3 != 0 {
                return Err(bad(
                    view,
                    format!("TRIANGLES count {count} is not a multiple of 3"),
                ));
            }
            if filter != "NONE" {
                return Err(bad(
                    view,
                    format!("filter {filter} is not allowed with mode {mode}"),
                ));
            }
            let mut out = vec![0u32; total.div_ceil(4)];
            // SAFETY: `out` has at least count * stride bytes; stride is 2 or 4
            // and (for TRIANGLES) count is a multiple of 3, as the C code asserts.
            let rc = unsafe {
                if mode == "TRIANGLES" {
                    ::meshopt::ffi::meshopt_decodeIndexBuffer(
                        out.as_mut_ptr().cast(),
                        count,
                        stride,
                        encoded.as_ptr(),
                        encoded.len(),
                    )
                } else {
                    ::meshopt::ffi::meshopt_decodeIndexSequence(
                        out.as_mut_ptr().cast(),
                        count,
                        stride,
                        encoded.as_ptr(),
                        encoded.len(),
                    )
                }
            };
            if rc != 0 {
                return Err(bad(view, format!("index decoder failed with code {rc}")));
            }
            let mut bytes: Vec<u8> = out.iter().flat_map(|w| w.to_le_bytes()).collect();
            bytes.truncate(total);
            Ok(bytes)
        }
        other => Err(bad(view, format!("unknown mode {other:?}"))),
    }
}

/// Undoes the encoder's filter in place on the decoded vertex words.
fn apply_filter(
    view: usize,
    filter: &str,
    data: &mut [u32],
    count: usize,
    stride: usize,
) -> Result<(), AvatarError> {
    let ptr = data.as_mut_ptr().cast();
    match filter {
        "NONE" => {}
        "OCTAHEDRAL" => {
            if stride != 4 && stride != 8 {
                return Err(bad(
                    view,
                    format!("OCTAHEDRAL needs byteStride 4 or 8, not {stride}"),
                ));
            }
            // SAFETY: `data` holds count * stride bytes, stride is 4 or 8.
            unsafe { ::meshopt::ffi::meshopt_decodeFilterOct(ptr, count, stride) }
        }
        "QUATERNION" => {
            if stride != 8 {
                return Err(bad(
                    view,
                    format!("QUATERNION needs byteStride 8, not {stride}"),
                ));
            }
            // SAFETY: `data` holds count * 8 bytes.
            unsafe { ::meshopt::ffi::meshopt_decodeFilterQuat(ptr, count, stride) }
        }
        "EXPONENTIAL" => {
            // SAFETY: `data` holds count * stride bytes, stride a multiple of 4.
            unsafe { ::meshopt::ffi::meshopt_decodeFilterExp(ptr, count, stride) }
        }
        other => return Err(bad(view, format!("unknown filter {other:?}"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words_to_bytes(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn decodes_attributes_and_triangles() {
        let vertices: Vec<[u32; 3]> = (0..50).map(|i| [i, i * 7, 1000 - i]).collect();
        let encoded_vertices = ::meshopt::encode_vertex_buffer(&vertices).expect("encode");
        let indices: Vec<u32> = (0..48).flat_map(|i| [i, i + 1, i + 2]).collect();
        let encoded_indices = ::meshopt::encode_index_buffer(&indices, 50).expect("encode");
        let mut buffer = encoded_vertices.clone();
        buffer.extend_from_slice(&encoded_indices);
        let buffers = vec![buffer];

        let ext = json!({"buffer": 0, "byteOffset": 0, "byteLength": encoded_vertices.len(),
                         "byteStride": 12, "count": 50, "mode": "ATTRIBUTES"});
        let got = decode_view(0, &ext, &buffers).expect("decodes");
        let flat: Vec<u32> = vertices.iter().flatten().copied().collect();
        assert_eq!(got, words_to_bytes(&flat));

        let ext = json!({"buffer": 0, "byteOffset": encoded_vertices.len(),
                         "byteLength": encoded_indices.len(), "byteStride": 4,
                         "count": indices.len(), "mode": "TRIANGLES"});
        let got = decode_view(1, &ext, &buffers).expect("decodes");
        // The codec may rotate a triangle's corners (keeping its winding).
        let canonical = |tris: &[u32]| -> Vec<[u32; 3]> {
            tris.chunks_exact(3)
                .map(|t| {
                    let k = (0..3).min_by_key(|&k| t[k]).unwrap_or(0);
                    [t[k], t[(k + 1) % 3], t[(k + 2) % 3]]
                })
                .collect()
        };
        let got: Vec<u32> = got
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(canonical(&got), canonical(&indices));
    }

    #[test]
    fn octahedral_filter_gives_unit_normals() {
        let normals = [[0.0f32, 0.0, 1.0, 0.0], [0.6, 0.8, 0.0, 0.0]];
        let packed: Vec<[i8; 4]> = ::meshopt::encode_filter_oct(&normals, 8);
        let encoded = ::meshopt::encode_vertex_buffer(&packed).expect("encode");
        let ext = json!({"buffer": 0, "byteLength": encoded.len(), "byteStride": 4,
                         "count": 2, "mode": "ATTRIBUTES", "filter": "OCTAHEDRAL"});
        let got = decode_view(0, &ext, &[encoded]).expect("decodes");
        let n1 = [got[4] as i8, got[5] as i8, got[6] as i8].map(|c| f32::from(c) / 127.0);
        assert!(
            (n1[0] - 0.6).abs() < 0.03 && (n1[1] - 0.8).abs() < 0.03,
            "{n1:?}"
        );
    }

    fn decode_f32s(ext: &Value, encoded: Vec<u8>) -> Vec<f32> {
        decode_view(0, ext, &[encoded])
            .expect("decodes")
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    #[test]
    fn exponential_filter_restores_floats() {
        let values = [[1.5f32, -0.25, 1000.0], [0.001, 42.0, -7.0]];
        let packed = ::meshopt::encode_filter_exp(&values, 20, ::meshopt::EncodeExpMode::Separate);
        let encoded = ::meshopt::encode_vertex_buffer(&packed).expect("encode");
        let ext = json!({"buffer": 0, "byteLength": encoded.len(), "byteStride": 12,
                         "count": 2, "mode": "ATTRIBUTES", "filter": "EXPONENTIAL"});
        let got = decode_f32s(&ext, encoded);
        for (g, w) in got.iter().zip(values.iter().flatten()) {
            assert!((g - w).abs() <= w.abs() * 1e-4, "{g} vs {w}");
        }
    }

    #[test]
    fn quaternion_filter_restores_unit_quaternions() {
        let q = glam::Quat::from_rotation_y(0.7);
        let packed = ::meshopt::encode_filter_quat(&[q.to_array()], 12);
        let encoded = ::meshopt::encode_vertex_buffer(&packed).expect("encode");
        let ext = json!({"buffer": 0, "byteLength": encoded.len(), "byteStride": 8,
                         "count": 1, "mode": "ATTRIBUTES", "filter": "QUATERNION"});
        let got = decode_view(0, &ext, &[encoded]).expect("decodes");
        let c: Vec<f32> = got
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32767.0)
            .collect();
        let decoded = glam::Quat::from_xyzw(c[0], c[1], c[2], c[3]);
        assert!(decoded.angle_between(q) < 0.01, "{decoded:?} vs {q:?}");
    }

    #[test]
    fn rejects_bad_sizes_and_garbage() {
        let buffers = vec![vec![0xA0, 1, 2, 3, 4, 5]];
        let ext = json!({"buffer": 0, "byteLength": 6, "byteStride": 6, "count": 2, "mode": "ATTRIBUTES"});
        assert!(decode_view(0, &ext, &buffers).is_err());
        let ext = json!({"buffer": 0, "byteLength": 6, "byteStride": 4, "count": 2, "mode": "ATTRIBUTES"});
        assert!(decode_view(0, &ext, &buffers).is_err());
        let ext =
            json!({"buffer": 0, "byteLength": 6, "byteStride": 2, "count": 4, "mode": "TRIANGLES"});
        assert!(decode_view(0, &ext, &buffers).is_err());
        let ext = json!({"buffer": 0, "byteLength": 600, "byteStride": 4, "count": 2, "mode": "ATTRIBUTES"});
        assert!(decode_view(0, &ext, &buffers).is_err());
    }
}
