//! MakeHuman `.target` files: sparse vertex offsets, one `index dx dy dz` per
//! line, in the base mesh's units (decimetres).

use glam::Vec3;

use super::BuildError;

/// Sparse offsets of one shape target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    pub deltas: Vec<(u32, Vec3)>,
}

impl Target {
    /// Adds `weight` times this target to `positions`.
    pub fn apply(&self, positions: &mut [Vec3], weight: f32) {
        for &(index, delta) in &self.deltas {
            // `parse_target` checked every index against the mesh size.
            positions[index as usize] += delta * weight;
        }
    }
}

/// Parses a target for a mesh of `vertex_count` vertices.
pub fn parse_target(text: &str, what: &str, vertex_count: usize) -> Result<Target, BuildError> {
    let mut deltas = Vec::new();
    for (line_index, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let line_no = line_index + 1;
        let mut words = line.split_ascii_whitespace();
        let index_word = words.next().unwrap_or("");
        let index: u32 = index_word.parse().map_err(|_| {
            BuildError::parse(
                what,
                line_no,
                format!("`{index_word}` is not a vertex index"),
            )
        })?;
        if index as usize >= vertex_count {
            return Err(BuildError::parse(
                what,
                line_no,
                format!("vertex {index} does not exist (the mesh has {vertex_count})"),
            ));
        }
        let mut delta = [0.0f32; 3];
        for slot in delta.iter_mut() {
            let word = words
                .next()
                .ok_or_else(|| BuildError::parse(what, line_no, "expected `index dx dy dz`"))?;
            let value: f32 = word.parse().map_err(|_| {
                BuildError::parse(what, line_no, format!("`{word}` is not a number"))
            })?;
            if !value.is_finite() {
                return Err(BuildError::parse(
                    what,
                    line_no,
                    format!("`{word}` is not finite"),
                ));
            }
            *slot = value;
        }
        deltas.push((index, Vec3::from_array(delta)));
    }
    Ok(Target { deltas })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies() {
        let target = parse_target("# comment\n1 .5 0 -1\n\n0 0 .25 0\n", "t", 2).expect("valid");
        assert_eq!(target.deltas.len(), 2);
        let mut positions = vec![Vec3::ZERO; 2];
        target.apply(&mut positions, 2.0);
        assert_eq!(
            positions,
            vec![Vec3::new(0.0, 0.5, 0.0), Vec3::new(1.0, 0.0, -2.0)]
        );
    }

    #[test]
    fn rejects_bad_lines() {
        for (text, needle) in [
            ("5 0 0 0\n", "does not exist"),
            ("x 0 0 0\n", "not a vertex index"),
            ("0 0 0\n", "expected"),
            ("0 0 y 0\n", "not a number"),
            ("-1 0 0 0\n", "not a vertex index"),
        ] {
            let err = parse_target(text, "t.target", 3)
                .expect_err(text)
                .to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
    }
}
