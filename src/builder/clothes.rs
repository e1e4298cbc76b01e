//! The uniform: shirt (with a standing collar), trousers and shoes as
//! offset shells over the skin they cover. The covered skin is removed, so
//! no pose or expression can show it through the cloth.

use glam::Vec3;

use super::fabric::FABRIC_UV_REPEAT;
use super::part::Part;
use super::regions::Cover;
use super::shell::{add_collar, boundary_edges, offset_shell};

pub struct Uniform {
    pub shirt: Part,
    pub trousers: Part,
    pub shoes: Part,
    /// The body with covered triangles removed.
    pub body: Part,
}

/// Majority cover of a triangle's corners; ties go to the garment so edges
/// of sleeves and hems stay clean.
fn triangle_cover(body: &Part, t: usize, cover: &[Cover]) -> Cover {
    let cs = [0, 1, 2].map(|k| cover[body.source[body.indices[t * 3 + k] as usize] as usize]);
    let count = |c: Cover| cs.iter().filter(|&&x| x == c).count();
    let mut best = Cover::Skin;
    for c in [Cover::Shirt, Cover::Trousers, Cover::Shoes] {
        if count(c) >= 2 || (count(c) == 1 && count(Cover::Skin) == 1 && best == Cover::Skin) {
            best = c;
        }
    }
    if count(Cover::Skin) >= 2 {
        Cover::Skin
    } else {
        best
    }
}

/// `neck` is the neck joint: shirt edges around it get the collar.
pub fn dress(body: &Part, cover: &[Cover], neck: Vec3) -> Uniform {
    let tri_count = body.indices.len() / 3;
    let covers: Vec<Cover> = (0..tri_count)
        .map(|t| triangle_cover(body, t, cover))
        .collect();
    let tris_of = |c: Cover| -> Vec<usize> { (0..tri_count).filter(|&t| covers[t] == c).collect() };

    let garment = |c: Cover, offset_m: f32, name: &str| -> (Part, Vec<u32>, Vec<usize>) {
        let tris = tris_of(c);
        let offsets = vec![offset_m; body.positions.len()];
        let (part, remap) = offset_shell(body, &tris, &offsets, true, name);
        (part, remap, tris)
    };
    let (mut shirt, shirt_map, shirt_tris) = garment(Cover::Shirt, 0.0065, "shirt");
    let (trousers, _, _) = garment(Cover::Trousers, 0.005, "trousers");
    let (shoes, _, _) = garment(Cover::Shoes, 0.007, "shoes");

    // The collar rises from the shirt's open edges around the neck.
    let collar_edges: Vec<(usize, usize)> = boundary_edges(body, &shirt_tris)
        .into_iter()
        .filter(|&(a, b)| {
            [a, b].iter().all(|&v| {
                let p = body.positions[v];
                p.y > neck.y - 0.06 && (p.x - neck.x).abs() < 0.1
            })
        })
        .map(|(a, b)| (shirt_map[a] as usize, shirt_map[b] as usize))
        .collect();
    add_collar(&mut shirt, &collar_edges, neck, 0.028, 0.012);

    let mut skin_body = body.clone();
    skin_body.indices = (0..tri_count)
        .filter(|&t| covers[t] == Cover::Skin)
        .flat_map(|t| {
            [
                body.indices[t * 3],
                body.indices[t * 3 + 1],
                body.indices[t * 3 + 2],
            ]
        })
        .collect();

    let mut out = Uniform {
        shirt,
        trousers,
        shoes,
        body: skin_body,
    };
    for part in [&mut out.shirt, &mut out.trousers, &mut out.shoes] {
        for uv in &mut part.uvs {
            *uv = [uv[0] * FABRIC_UV_REPEAT, uv[1] * FABRIC_UV_REPEAT];
        }
    }
    out
}
