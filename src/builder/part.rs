//! A part is one glTF mesh with one primitive and one material: body, eyes,
//! lashes, teeth, tongue, hair, clothes. Every vertex names the base-mesh
//! vertex it follows (`source`), from which it copies skin weights and
//! morph deltas, so shells built over the skin move with it.

use std::collections::BTreeMap;

use glam::{Vec3, Vec4};
use serde_json::json;

use super::doc::Doc;
use super::obj::{NO_UV, ObjFace, ObjMesh};
use super::shaped::Shaped;
use super::skeleton::Influence;

#[derive(Debug, Clone, Default)]
pub struct Part {
    pub name: String,
    pub positions: Vec<Vec3>,
    pub normals: Vec<Vec3>,
    /// glTF convention: v = 0 at the top of the image.
    pub uvs: Vec<[f32; 2]>,
    pub source: Vec<u32>,
    /// For vertices added by subdivision (see subdivide.rs): the two base
    /// vertices whose skin weights and morph deltas it averages. Empty, or
    /// one entry per vertex.
    pub midpoint_of: Vec<Option<[u32; 2]>>,
    pub indices: Vec<u32>,
    pub material: usize,
    /// Emit TANGENT (for normal-mapped materials).
    pub tangents: bool,
    /// The material samples no texture: leave out TEXCOORD_0.
    pub untextured: bool,
    /// Follows the skeleton only, with no morph targets (hair: it must not
    /// crawl with the skin of the temples and forehead when the face
    /// moves).
    pub rigid: bool,
}

/// Triangles over a grid of vertices laid out in `strips + 1` rows of
/// `across + 1` from index `first`: two per cell, row by row, counter-
/// clockwise when rows run down and columns right (`reversed` for the
/// other winding).
pub fn grid_triangles(first: u32, strips: u32, across: u32, reversed: bool) -> Vec<u32> {
    let stride = across + 1;
    let mut indices = Vec::with_capacity((strips * across * 6) as usize);
    for r in 0..strips {
        for c in 0..across {
            let a = first + r * stride + c;
            let b = a + stride;
            if reversed {
                indices.extend([a, a + 1, b, a + 1, b + 1, b]);
            } else {
                indices.extend([a, b, a + 1, a + 1, b, b + 1]);
            }
        }
    }
    indices
}

impl Part {
    /// The source of the vertex nearest to `p`, or None for an empty part:
    /// what a vertex added near this part (a tooth, the mouth pocket)
    /// borrows its skin weights and morph deltas from.
    pub fn nearest_source(&self, p: Vec3) -> Option<u32> {
        self.positions
            .iter()
            .zip(&self.source)
            .min_by(|a, b| a.0.distance_squared(p).total_cmp(&b.0.distance_squared(p)))
            .map(|(_, s)| *s)
    }

    /// The faces as a part, splitting vertices at UV seams; positions and
    /// normals come from the shaped mesh.
    pub fn from_faces<'a>(
        name: &str,
        shaped: &Shaped,
        obj: &ObjMesh,
        faces: impl Iterator<Item = &'a ObjFace>,
    ) -> Part {
        let mut part = Part {
            name: name.to_string(),
            ..Part::default()
        };
        let mut slots: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        for face in faces {
            let mut corner_ids = [0u32; 4];
            for (k, id) in corner_ids
                .iter_mut()
                .enumerate()
                .take(face.corners as usize)
            {
                let key = (face.v[k], face.vt[k]);
                *id = *slots.entry(key).or_insert_with(|| {
                    let v = face.v[k] as usize;
                    part.positions.push(shaped.positions[v]);
                    part.normals.push(shaped.normals[v]);
                    let uv = if face.vt[k] == NO_UV {
                        [0.0, 0.0]
                    } else {
                        obj.uvs[face.vt[k] as usize]
                    };
                    part.uvs.push([uv[0], 1.0 - uv[1]]);
                    part.source.push(face.v[k]);
                    (part.positions.len() - 1) as u32
                });
            }
            for tri in face.triangles() {
                part.indices.extend(tri.map(|k| corner_ids[k]));
            }
        }
        part
    }

    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    /// Per-vertex tangents from UV gradients (Lengyel's method), w = handedness.
    pub fn compute_tangents(&self) -> Vec<[f32; 4]> {
        let n = self.positions.len();
        let mut tan = vec![Vec3::ZERO; n];
        let mut bit = vec![Vec3::ZERO; n];
        for tri in self.indices.chunks_exact(3) {
            let [a, b, c] = [tri[0] as usize, tri[1] as usize, tri[2] as usize];
            let (e1, e2) = (
                self.positions[b] - self.positions[a],
                self.positions[c] - self.positions[a],
            );
            let (du1, dv1) = (
                self.uvs[b][0] - self.uvs[a][0],
                self.uvs[b][1] - self.uvs[a][1],
            );
            let (du2, dv2) = (
                self.uvs[c][0] - self.uvs[a][0],
                self.uvs[c][1] - self.uvs[a][1],
            );
            let det = du1 * dv2 - du2 * dv1;
            if det.abs() < 1e-12 {
                continue;
            }
            let r = 1.0 / det;
            let t = (e1 * dv2 - e2 * dv1) * r;
            let bt = (e2 * du1 - e1 * du2) * r;
            for v in [a, b, c] {
                tan[v] += t;
                bit[v] += bt;
            }
        }
        (0..n)
            .map(|i| {
                let nrm = self.normals[i];
                let mut t = (tan[i] - nrm * nrm.dot(tan[i])).normalize_or_zero();
                if t == Vec3::ZERO {
                    // No UV gradient here: any unit vector perpendicular to the normal.
                    t = nrm.any_orthonormal_vector();
                }
                let w = if nrm.cross(t).dot(bit[i]) < 0.0 {
                    -1.0
                } else {
                    1.0
                };
                Vec4::from((t, w)).to_array()
            })
            .collect()
    }

    /// Adds the part as a glTF mesh; returns the mesh index. Morph targets
    /// are those that move at least one of its vertices, except that
    /// `all_morphs` keeps every name (the body carries the full list).
    pub fn add_to(
        &self,
        doc: &mut Doc,
        shaped: &Shaped,
        influences: &[Influence],
        all_morphs: bool,
    ) -> usize {
        let count = self.positions.len();
        let positions: Vec<[f32; 3]> = self.positions.iter().map(|p| p.to_array()).collect();
        let normals: Vec<[f32; 3]> = self
            .normals
            .iter()
            .map(|n| n.try_normalize().unwrap_or(Vec3::Y).to_array())
            .collect();
        let mut attributes = json!({
            "POSITION": doc.floats(&positions, true),
            "NORMAL": doc.floats(&normals, false),
        });
        if !self.untextured {
            attributes["TEXCOORD_0"] = json!(doc.floats(&self.uvs, false));
        }
        if self.tangents {
            attributes["TANGENT"] = json!(doc.floats(&self.compute_tangents(), false));
        }
        let skin: Vec<Influence> = (0..count)
            .map(|i| match self.midpoint_of.get(i).copied().flatten() {
                Some([a, b]) => influences[a as usize].blend(&influences[b as usize]),
                None => influences[self.source[i] as usize],
            })
            .collect();
        let joints: Vec<[u8; 4]> = skin.iter().map(|s| s.joints).collect();
        let weights: Vec<[f32; 4]> = skin.iter().map(|s| s.weights).collect();
        attributes["JOINTS_0"] = json!(doc.joints(&joints));
        attributes["WEIGHTS_0"] = json!(doc.floats(&weights, false));
        let indices = doc.indices(&self.indices, count);

        let mut targets = Vec::new();
        let mut names = Vec::new();
        for (name, deltas) in shaped.morphs.iter().filter(|_| !self.rigid) {
            let mut idx = Vec::new();
            let mut values = Vec::new();
            for (i, &s) in self.source.iter().enumerate() {
                let d = match self.midpoint_of.get(i).copied().flatten() {
                    Some([a, b]) => (deltas[a as usize] + deltas[b as usize]) * 0.5,
                    None => deltas[s as usize],
                };
                if d.length_squared() > 1e-14 {
                    idx.push(i as u32);
                    values.push(d.to_array());
                }
            }
            if idx.is_empty() {
                if !all_morphs {
                    continue;
                }
                // A sparse accessor needs at least one entry: a zero delta.
                idx.push(0);
                values.push([0.0; 3]);
            }
            targets.push(json!({"POSITION": doc.sparse_vec3(count, &idx, &values)}));
            names.push(name.clone());
        }
        let mut primitive = json!({"attributes": attributes, "indices": indices, "material": self.material, "mode": 4});
        let mut mesh = json!({"name": self.name, "primitives": []});
        if !targets.is_empty() {
            primitive["targets"] = json!(targets);
            mesh["weights"] = json!(vec![0.0; names.len()]);
            mesh["extras"] = json!({"targetNames": names});
        }
        mesh["primitives"] = json!([primitive]);
        doc.meshes.push(mesh);
        doc.meshes.len() - 1
    }
}

impl Part {
    /// Drops vertices no triangle uses (after covered skin was removed).
    pub fn compact(&mut self) {
        let mut remap = vec![u32::MAX; self.positions.len()];
        let mut next = 0u32;
        for &i in &self.indices {
            if remap[i as usize] == u32::MAX {
                remap[i as usize] = next;
                next += 1;
            }
        }
        let keep = |old: usize| remap[old] != u32::MAX;
        let mut order: Vec<usize> = (0..self.positions.len()).filter(|&v| keep(v)).collect();
        order.sort_by_key(|&v| remap[v]);
        self.positions = order.iter().map(|&v| self.positions[v]).collect();
        self.normals = order.iter().map(|&v| self.normals[v]).collect();
        self.uvs = order.iter().map(|&v| self.uvs[v]).collect();
        self.source = order.iter().map(|&v| self.source[v]).collect();
        if !self.midpoint_of.is_empty() {
            self.midpoint_of = order.iter().map(|&v| self.midpoint_of[v]).collect();
        }
        for i in &mut self.indices {
            *i = remap[*i as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::grid_triangles;

    #[test]
    fn grid_triangles_cover_each_cell_twice_in_either_winding() {
        // One strip of two cells: vertices 10 11 12 over 13 14 15.
        assert_eq!(
            grid_triangles(10, 1, 2, false),
            [10, 13, 11, 11, 13, 14, 11, 14, 12, 12, 14, 15]
        );
        assert_eq!(
            grid_triangles(10, 1, 2, true),
            [10, 11, 13, 11, 14, 13, 11, 12, 14, 12, 15, 14]
        );
    }
}
