//! Reading accessors: every component type, normalized integers
//! (KHR_mesh_quantization), byte strides, matrix column padding, sparse
//! substitution and accessors without a buffer view (all zeros).

use gltf::json::accessor::{ComponentType, Type};
use gltf::json::validation::Checked;

use super::buffers::GltfData;
use super::error::AvatarError;

/// Accessors larger than this are refused: no avatar needs 16 M elements,
/// and a corrupt count must not allocate the machine away.
const MAX_ELEMENTS: u64 = 1 << 24;

fn component_size(ty: ComponentType) -> usize {
    match ty {
        ComponentType::I8 | ComponentType::U8 => 1,
        ComponentType::I16 | ComponentType::U16 => 2,
        ComponentType::U32 | ComponentType::F32 => 4,
    }
}

fn dimensions(ty: Type) -> (usize, usize) {
    match ty {
        Type::Scalar => (1, 1),
        Type::Vec2 => (1, 2),
        Type::Vec3 => (1, 3),
        Type::Vec4 => (1, 4),
        Type::Mat2 => (2, 2),
        Type::Mat3 => (3, 3),
        Type::Mat4 => (4, 4),
    }
}

/// A component as a float, normalized per glTF §3.11 when asked.
fn component_f32(b: &[u8], ty: ComponentType, normalized: bool) -> f32 {
    match (ty, normalized) {
        (ComponentType::I8, false) => f32::from(b[0] as i8),
        (ComponentType::I8, true) => (f32::from(b[0] as i8) / 127.0).max(-1.0),
        (ComponentType::U8, false) => f32::from(b[0]),
        (ComponentType::U8, true) => f32::from(b[0]) / 255.0,
        (ComponentType::I16, false) => f32::from(i16::from_le_bytes([b[0], b[1]])),
        (ComponentType::I16, true) => {
            (f32::from(i16::from_le_bytes([b[0], b[1]])) / 32767.0).max(-1.0)
        }
        (ComponentType::U16, false) => f32::from(u16::from_le_bytes([b[0], b[1]])),
        (ComponentType::U16, true) => f32::from(u16::from_le_bytes([b[0], b[1]])) / 65535.0,
        (ComponentType::U32, false) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
        (ComponentType::U32, true) => {
            (f64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])) / f64::from(u32::MAX)) as f32
        }
        (ComponentType::F32, _) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
    }
}

/// A component as an unsigned integer; floats and negative values are `None`.
fn component_u32(b: &[u8], ty: ComponentType) -> Option<u32> {
    match ty {
        ComponentType::U8 => Some(u32::from(b[0])),
        ComponentType::U16 => Some(u32::from(u16::from_le_bytes([b[0], b[1]]))),
        ComponentType::U32 => Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        ComponentType::I8 => u32::try_from(b[0] as i8).ok(),
        ComponentType::I16 => u32::try_from(i16::from_le_bytes([b[0], b[1]])).ok(),
        ComponentType::F32 => None,
    }
}

fn bad(accessor: usize, reason: impl Into<String>) -> AvatarError {
    AvatarError::BadAccessor {
        accessor,
        reason: reason.into(),
    }
}

/// Decoded accessor data, flattened: `values.len() == count * components`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Values<T> {
    pub values: Vec<T>,
    pub components: usize,
}

impl<T: Copy + Default> Values<T> {
    /// Fixed-size elements; missing components are `T::default()`, extra ones dropped.
    pub fn to_arrays<const N: usize>(&self) -> Vec<[T; N]> {
        let c = self.components.max(1);
        self.values
            .chunks_exact(c)
            .map(|chunk| {
                let mut out = [T::default(); N];
                for (o, v) in out.iter_mut().zip(chunk) {
                    *o = *v;
                }
                out
            })
            .collect()
    }
}

/// Reads accessor `index` as floats (normalized integers scaled to 0..1 / -1..1).
pub(crate) fn read_f32(
    data: &GltfData,
    index: usize,
    referrer: &str,
) -> Result<Values<f32>, AvatarError> {
    read(data, index, referrer, |b, ty, normalized| {
        Ok(component_f32(b, ty, normalized))
    })
}

/// Reads accessor `index` as unsigned integers (indices, joints).
pub(crate) fn read_u32(
    data: &GltfData,
    index: usize,
    referrer: &str,
) -> Result<Values<u32>, AvatarError> {
    read(data, index, referrer, |b, ty, _| {
        component_u32(b, ty).ok_or("holds floats or negative values where integers are needed")
    })
}

fn read<T: Copy + Default>(
    data: &GltfData,
    index: usize,
    referrer: &str,
    convert: impl Fn(&[u8], ComponentType, bool) -> Result<T, &'static str>,
) -> Result<Values<T>, AvatarError> {
    let accessors = &data.root.accessors;
    let accessor = accessors
        .get(index)
        .ok_or_else(|| AvatarError::IndexOutOfRange {
            kind: "accessor",
            index,
            count: accessors.len(),
            referrer: referrer.to_string(),
        })?;
    let Checked::Valid(component_type) = accessor.component_type else {
        return Err(bad(index, "its componentType is not a glTF component type"));
    };
    let ty = component_type.0;
    let Checked::Valid(kind) = accessor.type_ else {
        return Err(bad(index, "its type is not SCALAR, VEC2..4 or MAT2..4"));
    };
    let count64 = accessor.count.0;
    if count64 > MAX_ELEMENTS {
        return Err(bad(index, format!("count {count64} is implausibly large")));
    }
    let count = count64 as usize;
    let (columns, rows) = dimensions(kind);
    let components = columns * rows;
    let size = component_size(ty);
    // Matrix columns start on 4-byte boundaries (glTF §3.6.2.4).
    let column_stride = if columns > 1 {
        (rows * size).next_multiple_of(4)
    } else {
        rows * size
    };
    let element_size = columns * column_stride;

    let decode_element = |bytes: &[u8], out: &mut [T]| -> Result<(), AvatarError> {
        for c in 0..columns {
            for r in 0..rows {
                let at = c * column_stride + r * size;
                out[c * rows + r] = convert(&bytes[at..at + size], ty, accessor.normalized)
                    .map_err(|reason| bad(index, reason))?;
            }
        }
        Ok(())
    };

    let mut values = Vec::new();
    if let Some(view_index) = accessor.buffer_view {
        let view = data.view(view_index.value(), &format!("accessor {index}"))?;
        let stride = view.stride.unwrap_or(element_size);
        if stride < element_size {
            return Err(bad(
                index,
                format!("byteStride {stride} is smaller than its {element_size}-byte elements"),
            ));
        }
        let offset = accessor.byte_offset.map_or(0, |o| o.0);
        if count > 0 {
            // u128: offsets and strides come from the file and may be absurd.
            let end =
                u128::from(offset) + (count as u128 - 1) * stride as u128 + element_size as u128;
            if end > view.bytes.len() as u128 {
                return Err(AvatarError::AccessorOutOfBounds {
                    accessor: index,
                    start: offset,
                    end: u64::try_from(end).unwrap_or(u64::MAX),
                    available: view.bytes.len() as u64,
                });
            }
        }
        values = vec![T::default(); count * components];
        for (i, out) in values.chunks_exact_mut(components).enumerate() {
            let at = offset as usize + i * stride;
            decode_element(&view.bytes[at..at + element_size], out)?;
        }
    }

    if accessor.buffer_view.is_none() {
        values = vec![T::default(); count * components];
    }

    if let Some(sparse) = &accessor.sparse {
        let sparse_count = sparse.count.0;
        if sparse_count > count64 {
            return Err(bad(
                index,
                format!("sparse count {sparse_count} exceeds count {count}"),
            ));
        }
        let Checked::Valid(index_type) = sparse.indices.component_type else {
            return Err(bad(index, "sparse indices have an invalid componentType"));
        };
        let index_size = component_size(index_type.0);
        let referrer = format!("accessor {index} sparse");
        let indices_view = data.view(sparse.indices.buffer_view.value(), &referrer)?;
        let values_view = data.view(sparse.values.buffer_view.value(), &referrer)?;
        let indices_start = sparse.indices.byte_offset.0;
        let values_start = sparse.values.byte_offset.0;
        let indices_end = u128::from(indices_start) + u128::from(sparse_count) * index_size as u128;
        let values_end = u128::from(values_start) + u128::from(sparse_count) * element_size as u128;
        for (start, end, available) in [
            (indices_start, indices_end, indices_view.bytes.len()),
            (values_start, values_end, values_view.bytes.len()),
        ] {
            if end > available as u128 {
                return Err(AvatarError::AccessorOutOfBounds {
                    accessor: index,
                    start,
                    end: u64::try_from(end).unwrap_or(u64::MAX),
                    available: available as u64,
                });
            }
        }
        for i in 0..sparse_count as usize {
            let at = indices_start as usize + i * index_size;
            let target = component_u32(&indices_view.bytes[at..at + index_size], index_type.0)
                .ok_or_else(|| bad(index, "sparse indices must be unsigned integers"))?
                as usize;
            if target >= count {
                return Err(bad(
                    index,
                    format!("sparse index {target} is not below count {count}"),
                ));
            }
            let at = values_start as usize + i * element_size;
            decode_element(
                &values_view.bytes[at..at + element_size],
                &mut values[target * components..(target + 1) * components],
            )?;
        }
    }
    Ok(Values { values, components })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_integers_follow_the_spec() {
        assert_eq!(component_f32(&[127], ComponentType::I8, true), 1.0);
        assert_eq!(component_f32(&[0x80], ComponentType::I8, true), -1.0);
        assert_eq!(component_f32(&[255], ComponentType::U8, true), 1.0);
        assert_eq!(
            component_f32(&0x7FFFi16.to_le_bytes(), ComponentType::I16, true),
            1.0
        );
        assert_eq!(
            component_f32(&(-32768i16).to_le_bytes(), ComponentType::I16, true),
            -1.0
        );
        assert_eq!(
            component_f32(&65535u16.to_le_bytes(), ComponentType::U16, true),
            1.0
        );
        assert_eq!(component_f32(&[200], ComponentType::U8, false), 200.0);
        assert_eq!(
            component_f32(&1.5f32.to_le_bytes(), ComponentType::F32, true),
            1.5
        );
    }

    #[test]
    fn integers_reject_floats_and_negatives() {
        assert_eq!(component_u32(&[7, 0], ComponentType::U16), Some(7));
        assert_eq!(component_u32(&[0xFF], ComponentType::I8), None);
        assert_eq!(
            component_u32(&1.0f32.to_le_bytes(), ComponentType::F32),
            None
        );
    }

    #[test]
    fn to_arrays_pads_and_truncates() {
        let v = Values {
            values: vec![1.0f32, 2.0, 3.0, 4.0],
            components: 2,
        };
        assert_eq!(v.to_arrays::<3>(), vec![[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]]);
        assert_eq!(v.to_arrays::<1>(), vec![[1.0], [3.0]]);
    }
}
