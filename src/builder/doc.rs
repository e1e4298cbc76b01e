//! A small glTF 2.0 document builder: one binary buffer, tightly packed
//! views aligned to 4 bytes, accessors with the min/max the spec requires.
//! serde_json's default map keeps keys sorted, so output bytes are stable.

use glam::Mat4;
use serde_json::{Value, json};

const ARRAY_BUFFER: u32 = 34962;
const ELEMENT_ARRAY_BUFFER: u32 = 34963;
const FLOAT: u32 = 5126;
const UNSIGNED_BYTE: u32 = 5121;
const UNSIGNED_SHORT: u32 = 5123;
const UNSIGNED_INT: u32 = 5125;

#[derive(Default)]
pub struct Doc {
    pub bin: Vec<u8>,
    pub views: Vec<Value>,
    pub accessors: Vec<Value>,
    pub images: Vec<Value>,
    pub samplers: Vec<Value>,
    pub textures: Vec<Value>,
    pub materials: Vec<Value>,
    pub meshes: Vec<Value>,
    pub nodes: Vec<Value>,
    pub skins: Vec<Value>,
}

fn bytes_of_f32(data: impl IntoIterator<Item = f32>) -> Vec<u8> {
    data.into_iter().flat_map(f32::to_le_bytes).collect()
}

impl Doc {
    fn view(&mut self, bytes: &[u8], target: Option<u32>) -> usize {
        while self.bin.len() % 4 != 0 {
            self.bin.push(0);
        }
        let mut view =
            json!({"buffer": 0, "byteOffset": self.bin.len(), "byteLength": bytes.len()});
        if let Some(t) = target {
            view["target"] = json!(t);
        }
        self.bin.extend_from_slice(bytes);
        self.views.push(view);
        self.views.len() - 1
    }

    fn accessor(&mut self, accessor: Value) -> usize {
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }

    fn min_max<const N: usize>(data: &[[f32; N]]) -> (Vec<f32>, Vec<f32>) {
        let mut min = vec![f32::INFINITY; N];
        let mut max = vec![f32::NEG_INFINITY; N];
        for v in data {
            for k in 0..N {
                min[k] = min[k].min(v[k]);
                max[k] = max[k].max(v[k]);
            }
        }
        (min, max)
    }

    /// A float VEC2/VEC3/VEC4 vertex attribute; `bounds` adds min/max (POSITION needs them).
    pub fn floats<const N: usize>(&mut self, data: &[[f32; N]], bounds: bool) -> usize {
        let bytes = bytes_of_f32(data.iter().flatten().copied());
        let view = self.view(&bytes, Some(ARRAY_BUFFER));
        let kind = ["", "SCALAR", "VEC2", "VEC3", "VEC4"][N];
        let mut accessor =
            json!({"bufferView": view, "componentType": FLOAT, "count": data.len(), "type": kind});
        if bounds {
            let (min, max) = Self::min_max(data);
            accessor["min"] = json!(min);
            accessor["max"] = json!(max);
        }
        self.accessor(accessor)
    }

    /// JOINTS_0 as unsigned bytes (we have fewer than 256 joints).
    pub fn joints(&mut self, data: &[[u8; 4]]) -> usize {
        let bytes: Vec<u8> = data.iter().flatten().copied().collect();
        let view = self.view(&bytes, Some(ARRAY_BUFFER));
        self.accessor(json!({"bufferView": view, "componentType": UNSIGNED_BYTE, "count": data.len(), "type": "VEC4"}))
    }

    /// Triangle indices, 16-bit when they fit.
    pub fn indices(&mut self, data: &[u32], vertex_count: usize) -> usize {
        let (bytes, component): (Vec<u8>, u32) = if vertex_count <= u16::MAX as usize {
            (
                data.iter()
                    .flat_map(|&i| (i as u16).to_le_bytes())
                    .collect(),
                UNSIGNED_SHORT,
            )
        } else {
            (
                data.iter().flat_map(|&i| i.to_le_bytes()).collect(),
                UNSIGNED_INT,
            )
        };
        let view = self.view(&bytes, Some(ELEMENT_ARRAY_BUFFER));
        self.accessor(json!({"bufferView": view, "componentType": component, "count": data.len(), "type": "SCALAR"}))
    }

    /// A morph target's POSITION deltas as a sparse accessor over zeros:
    /// only the moved vertices are stored. `indices` must ascend.
    pub fn sparse_vec3(&mut self, count: usize, indices: &[u32], values: &[[f32; 3]]) -> usize {
        let (mut min, mut max) = Self::min_max(values);
        if indices.len() < count {
            // Vertices not listed keep the zero delta.
            for k in 0..3 {
                min[k] = min[k].min(0.0);
                max[k] = max[k].max(0.0);
            }
        }
        let (index_bytes, component): (Vec<u8>, u32) = if count <= u16::MAX as usize {
            (
                indices
                    .iter()
                    .flat_map(|&i| (i as u16).to_le_bytes())
                    .collect(),
                UNSIGNED_SHORT,
            )
        } else {
            (
                indices.iter().flat_map(|&i| i.to_le_bytes()).collect(),
                UNSIGNED_INT,
            )
        };
        let index_view = self.view(&index_bytes, None);
        let value_view = self.view(&bytes_of_f32(values.iter().flatten().copied()), None);
        self.accessor(json!({
            "componentType": FLOAT, "count": count, "type": "VEC3", "min": min, "max": max,
            "sparse": {
                "count": indices.len(),
                "indices": {"bufferView": index_view, "componentType": component},
                "values": {"bufferView": value_view}
            }
        }))
    }

    pub fn matrices(&mut self, mats: &[Mat4]) -> usize {
        let bytes = bytes_of_f32(mats.iter().flat_map(|m| m.to_cols_array()));
        let view = self.view(&bytes, None);
        self.accessor(json!({"bufferView": view, "componentType": FLOAT, "count": mats.len(), "type": "MAT4"}))
    }

    /// An embedded image and a texture sampling it (linear, mipmapped, repeat).
    pub fn texture(&mut self, name: &str, bytes: &[u8], mime: &str) -> usize {
        if self.samplers.is_empty() {
            self.samplers.push(
                json!({"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497}),
            );
        }
        let view = self.view(bytes, None);
        self.images
            .push(json!({"name": name, "bufferView": view, "mimeType": mime}));
        self.textures
            .push(json!({"sampler": 0, "source": self.images.len() - 1}));
        self.textures.len() - 1
    }

    pub fn material(&mut self, material: Value) -> usize {
        self.materials.push(material);
        self.materials.len() - 1
    }

    pub fn node(&mut self, node: Value) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The finished document; `scene_nodes` are the roots of scene 0.
    pub fn finish(self, scene_nodes: &[usize], extras: Value) -> (Value, Vec<u8>) {
        let mut doc = json!({
            "asset": {"version": "2.0", "generator": "avatarcast avatar builder",
                      "copyright": "CC0 1.0: built from MakeHuman assets and Face Units by Mika Suominen"},
            "scene": 0,
            "scenes": [{"name": "avatar", "nodes": scene_nodes}],
            "nodes": self.nodes,
            "meshes": self.meshes,
            "accessors": self.accessors,
            "bufferViews": self.views,
            "buffers": [{"byteLength": self.bin.len().div_ceil(4) * 4}],
            "extras": extras,
        });
        // Material extensions the builder writes degrade gracefully where a
        // viewer lacks them: used, not required.
        let used: std::collections::BTreeSet<String> = self
            .materials
            .iter()
            .filter_map(|m| m.get("extensions").and_then(Value::as_object))
            .flat_map(|e| e.keys().cloned())
            .collect();
        if !used.is_empty() {
            doc["extensionsUsed"] = json!(used);
        }
        for (key, list) in [
            ("images", self.images),
            ("samplers", self.samplers),
            ("textures", self.textures),
            ("materials", self.materials),
            ("skins", self.skins),
        ] {
            if !list.is_empty() {
                doc[key] = Value::Array(list);
            }
        }
        (doc, self.bin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_aligned_and_sparse_bounds_include_zero() {
        let mut doc = Doc::default();
        doc.joints(&[[1, 2, 3, 4], [0, 0, 0, 0]]);
        doc.indices(&[0, 1, 2], 3); // 6 bytes: the next view must start aligned
        let a = doc.sparse_vec3(10, &[2, 5], &[[1.0, 2.0, 3.0], [2.0, -1.0, 4.0]]);
        for view in &doc.views {
            assert_eq!(view["byteOffset"].as_u64().expect("offset") % 4, 0);
        }
        assert_eq!(doc.accessors[a]["min"], json!([0.0, -1.0, 0.0]));
        assert_eq!(doc.accessors[a]["max"], json!([2.0, 2.0, 4.0]));
        assert_eq!(doc.accessors[a]["sparse"]["count"], json!(2));
    }
}
