//! A Wavefront OBJ reader for the MakeHuman base mesh: positions, UVs,
//! faces (triangles and quads; larger polygons become fans) and groups.

use glam::Vec3;

use super::BuildError;

/// The parsed mesh, in the file's units (MakeHuman: decimetres, Y up).
#[derive(Debug, Clone, Default)]
pub struct ObjMesh {
    pub positions: Vec<Vec3>,
    pub uvs: Vec<[f32; 2]>,
    pub faces: Vec<ObjFace>,
    /// Group names; `ObjFace::group` indexes this list.
    pub groups: Vec<String>,
}

/// A triangle (`corners == 3`, fourth entries repeat the third) or a quad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjFace {
    pub v: [u32; 4],
    /// UV indices; `NO_UV` when the file gives none.
    pub vt: [u32; 4],
    pub corners: u8,
    pub group: u16,
}

pub const NO_UV: u32 = u32::MAX;

impl ObjFace {
    /// The face as triangles of corner slots (0..4), keeping the winding.
    pub fn triangles(&self) -> &'static [[usize; 3]] {
        if self.corners == 4 {
            &[[0, 1, 2], [0, 2, 3]]
        } else {
            &[[0, 1, 2]]
        }
    }
}

impl ObjMesh {
    pub fn group_index(&self, name: &str) -> Option<u16> {
        self.groups.iter().position(|g| g == name).map(|i| i as u16)
    }

    /// The vertices the faces of group `name` use, ascending (none for a
    /// group the file lacks).
    pub fn group_vertices(&self, name: &str) -> Vec<usize> {
        let group = self.group_index(name);
        let mut vertices: Vec<usize> = self
            .faces
            .iter()
            .filter(|f| Some(f.group) == group)
            .flat_map(|f| f.v[..f.corners as usize].iter().map(|&v| v as usize))
            .collect();
        vertices.sort_unstable();
        vertices.dedup();
        vertices
    }
}

pub fn parse_obj(text: &str, what: &str) -> Result<ObjMesh, BuildError> {
    let mut mesh = ObjMesh::default();
    let mut group: u16 = 0;
    for (line_index, raw) in text.lines().enumerate() {
        let line_no = line_index + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        let mut words = line.split_ascii_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        match keyword {
            "v" => {
                let p = parse_floats::<3>(&mut words, what, line_no)?;
                mesh.positions.push(Vec3::from_array(p));
            }
            "vt" => mesh.uvs.push(parse_floats::<2>(&mut words, what, line_no)?),
            "g" | "o" => {
                let name = words.next().unwrap_or("default").to_string();
                group = match mesh.groups.iter().position(|g| *g == name) {
                    Some(i) => i as u16,
                    None => {
                        mesh.groups.push(name);
                        u16::try_from(mesh.groups.len() - 1).map_err(|_| {
                            BuildError::parse(what, line_no, "more than 65535 groups")
                        })?
                    }
                };
            }
            "f" => {
                if mesh.groups.is_empty() {
                    mesh.groups.push("default".into());
                }
                let mut corners: Vec<(u32, u32)> = Vec::with_capacity(4);
                for word in words {
                    corners.push(parse_corner(word, &mesh, what, line_no)?);
                }
                if corners.len() < 3 {
                    return Err(BuildError::parse(
                        what,
                        line_no,
                        "a face needs at least 3 corners",
                    ));
                }
                push_polygon(&mut mesh, &corners, group);
            }
            // Normals, smoothing groups and materials are recomputed or unused.
            _ => {}
        }
    }
    Ok(mesh)
}

fn push_polygon(mesh: &mut ObjMesh, corners: &[(u32, u32)], group: u16) {
    if corners.len() == 4 {
        mesh.faces.push(ObjFace {
            v: [corners[0].0, corners[1].0, corners[2].0, corners[3].0],
            vt: [corners[0].1, corners[1].1, corners[2].1, corners[3].1],
            corners: 4,
            group,
        });
        return;
    }
    // Triangles and fans of larger polygons around the first corner.
    for i in 1..corners.len() - 1 {
        let (a, b, c) = (corners[0], corners[i], corners[i + 1]);
        mesh.faces.push(ObjFace {
            v: [a.0, b.0, c.0, c.0],
            vt: [a.1, b.1, c.1, c.1],
            corners: 3,
            group,
        });
    }
}

fn parse_floats<const N: usize>(
    words: &mut std::str::SplitAsciiWhitespace<'_>,
    what: &str,
    line: usize,
) -> Result<[f32; N], BuildError> {
    let mut out = [0.0f32; N];
    for slot in out.iter_mut() {
        let word = words
            .next()
            .ok_or_else(|| BuildError::parse(what, line, format!("expected {N} numbers")))?;
        let value: f32 = word
            .parse()
            .map_err(|_| BuildError::parse(what, line, format!("`{word}` is not a number")))?;
        if !value.is_finite() {
            return Err(BuildError::parse(
                what,
                line,
                format!("`{word}` is not finite"),
            ));
        }
        *slot = value;
    }
    Ok(out)
}

/// `v`, `v/vt`, `v//vn` or `v/vt/vn`, 1-based or negative (relative).
fn parse_corner(
    word: &str,
    mesh: &ObjMesh,
    what: &str,
    line: usize,
) -> Result<(u32, u32), BuildError> {
    let mut parts = word.split('/');
    let v = parts.next().unwrap_or("");
    let vt = parts.next().unwrap_or("");
    let v = resolve_index(v, mesh.positions.len(), what, line)?;
    let vt = if vt.is_empty() {
        NO_UV
    } else {
        resolve_index(vt, mesh.uvs.len(), what, line)?
    };
    Ok((v, vt))
}

fn resolve_index(word: &str, len: usize, what: &str, line: usize) -> Result<u32, BuildError> {
    let index: i64 = word
        .parse()
        .map_err(|_| BuildError::parse(what, line, format!("`{word}` is not an index")))?;
    let resolved = if index > 0 {
        index - 1
    } else {
        len as i64 + index
    };
    if index == 0 || resolved < 0 || resolved >= len as i64 {
        return Err(BuildError::parse(
            what,
            line,
            format!("index {index} is outside the {len} entries defined so far"),
        ));
    }
    Ok(resolved as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quads_triangles_groups_and_fans() {
        let text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 2 2 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n\
                    g body\nf 1/1 2/2 3/3 4/4\ng helper-tongue\nf 1/1 2/2 3/3\nf 1 2 3 4 5\n";
        let mesh = parse_obj(text, "test.obj").expect("valid OBJ");
        assert_eq!(mesh.positions.len(), 5);
        assert_eq!(mesh.groups, vec!["body", "helper-tongue"]);
        assert_eq!(mesh.faces.len(), 1 + 1 + 3);
        assert_eq!(mesh.faces[0].corners, 4);
        assert_eq!(mesh.faces[0].vt, [0, 1, 2, 3]);
        assert_eq!(mesh.faces[1].group, 1);
        assert_eq!(mesh.faces[2].vt[0], NO_UV);
        assert_eq!(mesh.faces[4].v, [0, 3, 4, 4]);
    }

    #[test]
    fn negative_indices_are_relative() {
        let mesh = parse_obj("v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\n", "t").expect("valid");
        assert_eq!(mesh.faces[0].v[..3], [0, 1, 2]);
    }

    #[test]
    fn bad_input_is_an_error_with_the_line() {
        for (text, needle) in [
            ("v 0 0\n", "expected 3 numbers"),
            ("v 0 x 0\n", "not a number"),
            ("v 0 0 0\nf 1 2 3\n", "outside"),
            ("v 0 0 0\nf 1 1\n", "at least 3"),
            ("v 0 0 0\nv 0 0 0\nv 0 0 0\nf 1 2 0\n", "outside"),
            ("v 0 0 nan\n", "not finite"),
        ] {
            let err = parse_obj(text, "t.obj").expect_err(text).to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
            assert!(err.contains("t.obj, line"), "{err}");
        }
    }
}
