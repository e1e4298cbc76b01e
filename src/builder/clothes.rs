//! The uniform: shirt (with a standing collar), trousers and shoes as
//! offset shells over the skin they cover. The covered skin is removed, so
//! no pose or expression can show it through the cloth.

use glam::Vec3;

use super::fabric::FABRIC_UV_REPEAT;
use super::part::Part;
use super::regions::{Cover, collar_top, near_neck, neck_azimuth, neckline_offset};
use super::shell::{add_collar, add_hems, boundary_edges, drape, offset_shell};

pub struct Uniform {
    pub shirt: Part,
    pub trousers: Part,
    pub shoes: Part,
    /// The body with covered triangles removed.
    pub body: Part,
}

/// The garment a triangle belongs to: the one most of its corners wear
/// (any garment corner counts, so shells overlap the skin's edge a little),
/// or skin when no corner wears one.
fn triangle_cover(body: &Part, t: usize, cover: &[Cover]) -> Cover {
    let cs = [0, 1, 2].map(|k| cover[body.source[body.indices[t * 3 + k] as usize] as usize]);
    let count = |c: Cover| cs.iter().filter(|&&x| x == c).count();
    let mut best = (Cover::Skin, 0);
    for c in [Cover::Shirt, Cover::Trousers, Cover::Shoes] {
        if count(c) > best.1 {
            best = (c, count(c));
        }
    }
    best.0
}

/// True when every corner of the triangle is under some garment: only
/// then is the skin removed, so the skin under a shell's edge stays.
fn fully_covered(body: &Part, t: usize, cover: &[Cover]) -> bool {
    (0..3).all(|k| cover[body.source[body.indices[t * 3 + k] as usize] as usize] != Cover::Skin)
}

/// `neck` is the neck joint: shirt edges around it get the collar.
pub fn dress(body: &Part, cover: &[Cover], neck: Vec3) -> Uniform {
    let tri_count = body.indices.len() / 3;
    let covers: Vec<Cover> = (0..tri_count)
        .map(|t| triangle_cover(body, t, cover))
        .collect();
    let tris_of = |c: Cover| -> Vec<usize> { (0..tri_count).filter(|&t| covers[t] == c).collect() };

    let hem = |a: Vec3, b: Vec3| !(near_neck(a, neck) && near_neck(b, neck));
    // (offset, drape limit, drape iterations) per garment: the shirt hangs
    // loosest; shoes smooth over the toes.
    let garment = |c: Cover, fit: (f32, f32, u32), name: &str| -> (Part, Vec<u32>, Vec<usize>) {
        let tris = tris_of(c);
        let offsets = vec![fit.0; body.positions.len()];
        let (mut part, remap) = offset_shell(body, &tris, &offsets, name);
        drape(&mut part, body, &remap, fit.0, fit.1, fit.2);
        if c == Cover::Shirt {
            // The shirt's edge around the neck follows the smooth neckline exactly.
            for p in &mut part.positions {
                if near_neck(*p, neck) {
                    p.y = p.y.min(neck.y + neckline_offset(neck_azimuth(*p, neck)));
                }
            }
        }
        add_hems(&mut part, &remap, body, &tris, &hem);
        (part, remap, tris)
    };
    let (mut shirt, shirt_map, shirt_tris) = garment(Cover::Shirt, (0.006, 0.03, 12), "shirt");
    let (trousers, _, _) = garment(Cover::Trousers, (0.005, 0.012, 4), "trousers");
    let (shoes, _, _) = garment(Cover::Shoes, (0.007, 0.02, 10), "shoes");

    // The collar rises from the shirt's open edges around the neck.
    let collar_edges: Vec<(usize, usize)> = boundary_edges(body, &shirt_tris)
        .into_iter()
        .filter(|&(a, b)| {
            [a, b].iter().all(|&v| {
                let p = body.positions[v];
                near_neck(p, neck) && p.y > neck.y - 0.07
            })
        })
        .map(|(a, b)| (shirt_map[a] as usize, shirt_map[b] as usize))
        .collect();
    add_collar(
        &mut shirt,
        &collar_edges,
        neck,
        |p| collar_top(p, neck, 0.032),
        0.010,
    );

    let mut skin_body = body.clone();
    skin_body.indices = (0..tri_count)
        .filter(|&t| !fully_covered(body, t, cover))
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
