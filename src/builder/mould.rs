//! Moulding small flat pieces (a name badge, a button placket) onto the
//! shirt: a piece's vertices take the height and normal of the shirt's front
//! under them, so it follows the curve of the chest instead of floating off
//! it or sinking in.

use glam::{Vec2, Vec3};

use super::part::{Part, grid_triangles};

/// The shirt's forward-facing triangles near a piece: corner positions,
/// normals and sources.
pub struct ShirtFront {
    triangles: Vec<[(Vec3, Vec3, u32); 3]>,
}

impl ShirtFront {
    /// Triangles of `shirt` facing forward within `radius` (in x and y) of
    /// `centre`.
    pub fn near(shirt: &Part, centre: Vec3, radius: f32) -> ShirtFront {
        let corner = |i: u32| {
            let i = i as usize;
            (shirt.positions[i], shirt.normals[i], shirt.source[i])
        };
        let triangles = shirt
            .indices
            .chunks_exact(3)
            .map(|t| [corner(t[0]), corner(t[1]), corner(t[2])])
            .filter(|t| {
                t.iter().all(|(p, n, _)| {
                    n.z > 0.2 && (p.x - centre.x).abs() < radius && (p.y - centre.y).abs() < radius
                })
            })
            .collect();
        ShirtFront { triangles }
    }

    /// A flat card moulded onto the shirt: a grid of `columns` × `rows`
    /// quads whose vertex at UV (u, v) (v down) sits over the point
    /// `place(u, v)` (x, y) of the shirt, `stand_off` in front of it, wound
    /// to face out. None when any of it falls off the shirt.
    pub fn card(
        &self,
        name: &str,
        (columns, rows): (u32, u32),
        stand_off: f32,
        place: impl Fn(f32, f32) -> (f32, f32),
    ) -> Option<Part> {
        let mut part = Part {
            name: name.to_string(),
            rigid: true,
            ..Part::default()
        };
        for row in 0..=rows {
            let v = row as f32 / rows as f32;
            for column in 0..=columns {
                let u = column as f32 / columns as f32;
                let (x, y) = place(u, v);
                let (surface, normal, source) = self.at(x, y)?;
                part.positions.push(surface + normal * stand_off);
                part.normals.push(normal);
                part.uvs.push([u, v]);
                part.source.push(source);
            }
        }
        // Counter-clockwise seen from the front (+z): v runs down.
        part.indices = grid_triangles(0, rows, columns, false);
        Some(part)
    }

    /// The frontmost point of the shirt at (x, y) seen along -z, its
    /// interpolated normal and the nearest corner's source; None off the
    /// shirt.
    pub fn at(&self, x: f32, y: f32) -> Option<(Vec3, Vec3, u32)> {
        let q = Vec2::new(x, y);
        let mut best: Option<(Vec3, Vec3, u32)> = None;
        for t in &self.triangles {
            let [a, b, c] = t.map(|(p, _, _)| p.truncate());
            let Some(w) = barycentric(q, a, b, c) else {
                continue;
            };
            let z = w.x * t[0].0.z + w.y * t[1].0.z + w.z * t[2].0.z;
            if best.is_some_and(|(p, _, _)| p.z >= z) {
                continue;
            }
            let normal = (t[0].1 * w.x + t[1].1 * w.y + t[2].1 * w.z).normalize_or(Vec3::Z);
            let nearest = if w.x >= w.y && w.x >= w.z {
                0
            } else if w.y >= w.z {
                1
            } else {
                2
            };
            best = Some((Vec3::new(x, y, z), normal, t[nearest].2));
        }
        best
    }
}

/// Barycentric weights of `q` in triangle `abc` (2D), when inside it (with
/// a hair of tolerance so points on shared edges are found).
fn barycentric(q: Vec2, a: Vec2, b: Vec2, c: Vec2) -> Option<Vec3> {
    let (v0, v1, v2) = (b - a, c - a, q - a);
    let den = v0.perp_dot(v1);
    if den.abs() < 1e-12 {
        return None;
    }
    let v = v2.perp_dot(v1) / den;
    let w = v0.perp_dot(v2) / den;
    let u = 1.0 - v - w;
    let eps = -1e-4;
    (u >= eps && v >= eps && w >= eps).then_some(Vec3::new(u, v, w))
}

/// A shirt front for tests: a grid on a cylinder of radius 15 cm around
/// the chest, facing +z, from y = 1.15 up to its top edge (the neckline) at
/// y = 1.38.
#[cfg(test)]
pub fn test_chest() -> Part {
    let mut part = Part::default();
    let (columns, rows) = (30u32, 23u32);
    for i in 0..=columns {
        for j in 0..=rows {
            let angle = (i as f32 / columns as f32 - 0.5) * 2.4;
            let y = 1.15 + j as f32 * 0.01;
            part.positions
                .push(Vec3::new(0.15 * angle.sin(), y, 0.15 * angle.cos()));
            part.normals.push(Vec3::new(angle.sin(), 0.0, angle.cos()));
            part.source.push(part.source.len() as u32);
        }
    }
    part.indices = grid_triangles(0, columns, rows, false);
    part
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_frontmost_surface_under_a_point() {
        // Two layers of one triangle: the front one at z = 0.1.
        let shirt = Part {
            positions: vec![
                Vec3::new(-1.0, -1.0, 0.0),
                Vec3::new(1.0, -1.0, 0.0),
                Vec3::new(0.0, 1.0, 0.0),
                Vec3::new(-1.0, -1.0, 0.1),
                Vec3::new(1.0, -1.0, 0.1),
                Vec3::new(0.0, 1.0, 0.3),
            ],
            normals: vec![Vec3::Z; 6],
            source: vec![0, 1, 2, 3, 4, 5],
            indices: vec![0, 1, 2, 3, 4, 5],
            ..Part::default()
        };
        let front = ShirtFront::near(&shirt, Vec3::ZERO, 2.0);
        let (p, n, source) = front.at(0.0, 0.0).expect("on the shirt");
        assert!((p.z - 0.2).abs() < 1e-5, "{p}");
        assert_eq!((n, source), (Vec3::Z, 5));
        assert!(front.at(5.0, 0.0).is_none());
    }
}
