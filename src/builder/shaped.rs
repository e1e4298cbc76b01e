//! The base mesh shaped for one role, in glTF units (metres, Y up, feet on
//! the ground, facing +Z), with smooth normals, skin weights and the dense
//! morph deltas every part copies from.

use glam::Vec3;

use super::arkit::{ARKIT_NAMES, VISEME_RECIPES, VRM_RECIPES, expand};
use super::data::BaseData;
use super::obj::ObjFace;
use super::target::Target;

/// MakeHuman files are in decimetres.
pub const METRES_PER_UNIT: f32 = 0.1;

/// Groups that are rendered; everything else (joint cubes, genitals, tights,
/// skirt, the long-hair helper) is dropped.
pub fn rendered_group(name: &str) -> bool {
    name == "body"
        || name == "helper-l-eye"
        || name == "helper-r-eye"
        || name.starts_with("helper-l-eyelashes")
        || name.starts_with("helper-r-eyelashes")
        || name == "helper-upper-teeth"
        || name == "helper-lower-teeth"
        || name == "helper-tongue"
}

pub struct Shaped {
    /// Every base vertex, metres.
    pub positions: Vec<Vec3>,
    /// Area-weighted smooth normals over the rendered faces (zero elsewhere).
    pub normals: Vec<Vec3>,
    /// Faces of rendered groups, in file order.
    pub faces: Vec<ObjFace>,
    /// Morph names and dense per-base-vertex deltas in metres.
    pub morphs: Vec<(String, Vec<Vec3>)>,
}

impl Shaped {
    /// How the rest face differs from MakeHuman's neutral one.
    pub fn new(base: &BaseData, macro_targets: &[(Target, f32)], rest: RestFace) -> Shaped {
        let mut positions = base.obj.positions.clone();
        for (target, weight) in macro_targets {
            target.apply(&mut positions, *weight);
        }
        rest_face(&mut positions, &base.faceunits, rest);
        let body = base.obj.group_index("body");
        let faces: Vec<ObjFace> = base
            .obj
            .faces
            .iter()
            .filter(|f| rendered_group(&base.obj.groups[f.group as usize]))
            .copied()
            .collect();
        let lowest = faces
            .iter()
            .filter(|f| Some(f.group) == body)
            .flat_map(|f| f.v[..f.corners as usize].iter())
            .map(|&v| positions[v as usize].y)
            .fold(f32::INFINITY, f32::min);
        let lowest = if lowest.is_finite() { lowest } else { 0.0 };
        for p in &mut positions {
            *p = Vec3::new(p.x, p.y - lowest, p.z) * METRES_PER_UNIT;
        }
        let normals = smooth_normals(&positions, &faces);
        let jaw = JawParts {
            tongue: base.obj.group_vertices("helper-tongue"),
            lower_teeth: base.obj.group_vertices("helper-lower-teeth"),
        };
        let morphs = build_morphs(&base.faceunits, positions.len(), &jaw, rest);
        Shaped {
            positions,
            normals,
            faces,
            morphs,
        }
    }
}

/// How much of `mouthShrugLower` the rest face wears: MakeHuman's neutral
/// lips are parted by a millimetre or two, and a grey strip of teeth showed
/// between them. This lifts the lower lip to meet the upper one (tuned on
/// close-ups: `mouthClose` crossed the lips instead, and rolling or
/// pressing them left the gap).
const REST_LOWER_LIP_SHRUG: f32 = 0.4;

/// A role's resting face, as fractions of ARKit units.
#[derive(Debug, Clone, Copy, Default)]
pub struct RestFace {
    /// Of `mouthSmile` on both sides, 0..=0.5.
    pub smile: f32,
    /// Of `eyeBlink` on both sides, 0..=0.3.
    pub upper_lids: f32,
}

/// The rest face: the neutral face with its lips closed, wearing the
/// role's resting smile and lids. Every expression then starts from it.
fn rest_face(positions: &mut [Vec3], faceunits: &[Target], rest: RestFace) {
    let recipe = [
        ("mouthShrugLower", REST_LOWER_LIP_SHRUG),
        ("eyeBlink_LR", rest.upper_lids),
        ("mouthSmile_LR", rest.smile),
    ];
    for (unit, weight) in expand(&recipe) {
        if let Some(target) = faceunits.get(unit).filter(|_| weight > 0.0) {
            target.apply(positions, weight);
        }
    }
}

/// Area-weighted vertex normals: each face adds its (unnormalised) normal to
/// its corners, so large faces count more and seams stay smooth.
pub fn smooth_normals(positions: &[Vec3], faces: &[ObjFace]) -> Vec<Vec3> {
    let mut normals = vec![Vec3::ZERO; positions.len()];
    for face in faces {
        for tri in face.triangles() {
            let [a, b, c] = tri.map(|k| face.v[k] as usize);
            let n = (positions[b] - positions[a]).cross(positions[c] - positions[a]);
            normals[a] += n;
            normals[b] += n;
            normals[c] += n;
        }
    }
    for n in &mut normals {
        *n = n.normalize_or_zero();
    }
    normals
}

/// Base vertices of the parts the jaw carries.
struct JawParts {
    tongue: Vec<usize>,
    lower_teeth: Vec<usize>,
}

/// How far the whole tongue drops with the jaw, as a fraction of the lower
/// incisors' drop.
const TONGUE_DROP: f32 = 0.8;

/// What the jaw carries in jawOpen, made fit for crowns that each move as
/// one piece:
/// - The Face Units rotate the lower teeth helper about the jaw's hinge, so
///   the molars drop 16 mm where the incisors drop 26. Each crown follows
///   one helper vertex, so along the arch the crowns stepped up towards the
///   back like stairs, and the far side's molars stood above the arch as
///   blocks. The lower teeth now drop as one, with the incisors.
/// - The tongue's tip drops with the incisors but its back hardly at all,
///   so in an open mouth the dorsum rose behind the lower teeth like a red
///   wall and hid the mouth's depth. For an open vowel the tongue lies low
///   on the floor of the mouth: every tongue vertex drops at least
///   `TONGUE_DROP` of the incisors' drop.
fn lower_teeth_and_tongue_with_jaw(jaw_open: &mut [Vec3], jaw: &JawParts) {
    let incisors = jaw
        .lower_teeth
        .iter()
        .map(|&v| jaw_open[v])
        .fold(
            Vec3::ZERO,
            |lowest, d| if d.y < lowest.y { d } else { lowest },
        );
    for &v in &jaw.lower_teeth {
        jaw_open[v] = incisors;
    }
    for &v in &jaw.tongue {
        jaw_open[v].y = jaw_open[v].y.min(TONGUE_DROP * incisors.y);
    }
}

fn build_morphs(
    faceunits: &[Target],
    vertex_count: usize,
    jaw: &JawParts,
    rest: RestFace,
) -> Vec<(String, Vec<Vec3>)> {
    let mut units: Vec<Vec<Vec3>> = Vec::with_capacity(faceunits.len());
    for (name, target) in ARKIT_NAMES.iter().zip(faceunits) {
        let mut dense = vec![Vec3::ZERO; vertex_count];
        target.apply(&mut dense, METRES_PER_UNIT);
        if name.starts_with("eyeBlink") {
            // The rest lids are already part closed: a full blink still
            // ends with the lids shut, not past them.
            for d in &mut dense {
                *d *= 1.0 - rest.upper_lids;
            }
        }
        if *name == "jawOpen" {
            lower_teeth_and_tongue_with_jaw(&mut dense, jaw);
        }
        units.push(dense);
    }
    let mut morphs: Vec<(String, Vec<Vec3>)> = Vec::new();
    for recipe in VISEME_RECIPES.iter().chain(VRM_RECIPES.iter()) {
        let mut dense = vec![Vec3::ZERO; vertex_count];
        for (unit, weight) in expand(recipe.1) {
            for (d, u) in dense.iter_mut().zip(&units[unit]) {
                *d += *u * weight;
            }
        }
        morphs.push((recipe.0.to_string(), dense));
    }
    let mut all: Vec<(String, Vec<Vec3>)> = ARKIT_NAMES
        .iter()
        .map(|n| n.to_string())
        .zip(units)
        .collect();
    all.extend(morphs);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_teeth_drop_as_one_and_the_tongue_with_them() {
        // Vertices 0..2: lower teeth (incisor drops 20 mm); 2..5: tongue
        // tip (already lower), middle and back (barely moved).
        let mut jaw_open = vec![
            Vec3::new(0.0, -0.02, -0.01),
            Vec3::new(0.0, -0.008, -0.004),
            Vec3::new(0.0, -0.019, -0.012),
            Vec3::new(0.0, -0.01, -0.01),
            Vec3::new(0.001, -0.002, -0.008),
            Vec3::new(0.0, 0.0, 0.0),
        ];
        let jaw = JawParts {
            tongue: vec![2, 3, 4],
            lower_teeth: vec![0, 1],
        };
        lower_teeth_and_tongue_with_jaw(&mut jaw_open, &jaw);
        let floor = -0.02 * TONGUE_DROP;
        assert_eq!(jaw_open[2].y, -0.019);
        assert_eq!(jaw_open[3].y, floor);
        assert_eq!(jaw_open[4], Vec3::new(0.001, floor, -0.008));
        // The lower teeth move as one, with the incisors.
        assert_eq!(jaw_open[0], Vec3::new(0.0, -0.02, -0.01));
        assert_eq!(jaw_open[1], jaw_open[0]);
        // Anything else is untouched.
        assert_eq!(jaw_open[5], Vec3::ZERO);
    }
}
