//! The loader's entry points: files by extension, GLB bytes, glTF JSON.

use std::path::Path;

use super::buffers::GltfData;
use super::error::{AvatarError, AvatarWarning};
use super::model::{Avatar, Humanoid};
use super::{clips, glb, humanoid, images, materials, mesh, skeleton, vrm};

/// Extensions we read. Anything else required is an error; anything else
/// merely used is ignored with a warning.
const SUPPORTED_EXTENSIONS: &[&str] = &[
    "KHR_mesh_quantization",
    "EXT_meshopt_compression",
    "EXT_texture_webp",
    "KHR_materials_emissive_strength",
    "KHR_materials_anisotropy",
    "VRMC_vrm",
    "VRM",
];

impl Avatar {
    /// Loads a `.glb`, `.vrm` or `.gltf` file and checks that it can lip-sync
    /// (it has `viseme_*`, `jawOpen` or a VRM `aa` expression).
    pub fn load(path: &Path) -> Result<Avatar, AvatarError> {
        Self::load_with_warnings(path).map(|(avatar, _)| avatar)
    }

    /// [`Avatar::load`], also returning what the avatar lacks or what was ignored.
    pub fn load_with_warnings(path: &Path) -> Result<(Avatar, Vec<AvatarWarning>), AvatarError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !matches!(extension.as_str(), "glb" | "vrm" | "gltf") {
            return Err(AvatarError::UnsupportedFileType {
                extension,
                path: path.to_path_buf(),
            });
        }
        let bytes = std::fs::read(path).map_err(|source| AvatarError::Io {
            source,
            path: path.to_path_buf(),
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base_dir = Some(path.parent().unwrap_or(Path::new("")));
        let (avatar, mut warnings) = if glb::is_glb(&bytes) {
            let parsed = glb::parse(&bytes)?;
            build(parsed.json, parsed.bin, base_dir, &name)?
        } else if extension == "gltf" {
            build(&bytes, None, base_dir, &name)?
        } else {
            return Err(AvatarError::NotGltf {
                reason: format!("a .{extension} file must start with the GLB magic `glTF`"),
            });
        };
        if !avatar.has_mouth_morphs() {
            return Err(AvatarError::NoMouthMorphs {
                path: path.to_path_buf(),
            });
        }
        if !avatar.has_blink() {
            warnings.push(AvatarWarning::NoBlinkShapes);
        }
        Ok((avatar, warnings))
    }

    /// Parses a GLB (or VRM) held in memory. No lip-sync check; external
    /// files cannot be resolved (there is no directory).
    pub fn from_glb_bytes(bytes: &[u8], name: &str) -> Result<Avatar, AvatarError> {
        let parsed = glb::parse(bytes)?;
        build(parsed.json, parsed.bin, None, name).map(|(avatar, _)| avatar)
    }

    /// Parses glTF JSON; relative URIs resolve against `base_dir` (data URIs
    /// need none). No lip-sync check.
    pub fn from_gltf_json(
        json: &[u8],
        base_dir: Option<&Path>,
        name: &str,
    ) -> Result<Avatar, AvatarError> {
        build(json, None, base_dir, name).map(|(avatar, _)| avatar)
    }
}

fn check_extensions(
    root: &gltf::json::Root,
    warnings: &mut Vec<AvatarWarning>,
) -> Result<(), AvatarError> {
    if let Some(name) = root
        .extensions_required
        .iter()
        .find(|e| !SUPPORTED_EXTENSIONS.contains(&e.as_str()))
    {
        return Err(AvatarError::UnsupportedExtension { name: name.clone() });
    }
    for name in &root.extensions_used {
        if !SUPPORTED_EXTENSIONS.contains(&name.as_str()) {
            warnings.push(AvatarWarning::ExtensionIgnored { name: name.clone() });
        }
    }
    Ok(())
}

/// Every JOINTS_0 entry must name a joint of the skin the mesh is drawn
/// with, so the renderer can index joint matrices without checking.
fn check_skin_joints(
    nodes: &[super::model::Node],
    meshes: &[super::model::Mesh],
    skins: &[super::model::Skin],
) -> Result<(), AvatarError> {
    for node in nodes {
        let (Some(m), Some(s)) = (node.mesh, node.skin) else {
            continue;
        };
        let (Some(mesh), Some(skin)) = (meshes.get(m), skins.get(s)) else {
            continue;
        };
        for (p, primitive) in mesh.primitives.iter().enumerate() {
            let max = primitive.joints.iter().flatten().flatten().max();
            if let Some(&max) = max.filter(|&&j| usize::from(j) >= skin.joints.len()) {
                return Err(AvatarError::BadPrimitive {
                    mesh: m,
                    primitive: p,
                    reason: format!(
                        "JOINTS_0 names joint {max} but skin {s} has {} joints",
                        skin.joints.len()
                    ),
                });
            }
        }
    }
    Ok(())
}

fn build(
    json: &[u8],
    bin: Option<&[u8]>,
    base_dir: Option<&Path>,
    name: &str,
) -> Result<(Avatar, Vec<AvatarWarning>), AvatarError> {
    // Some writers add a byte-order mark or pad the JSON chunk with NULs
    // instead of spaces; neither is JSON, both are harmless.
    let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
    let json = &json[..json.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)];
    let root: gltf::json::Root =
        serde_json::from_slice(json).map_err(|e| AvatarError::BadJson {
            message: e.to_string(),
        })?;
    let mut warnings = Vec::new();
    check_extensions(&root, &mut warnings)?;
    let data = GltfData::new(root, bin, base_dir)?;

    let (mut nodes, roots) = skeleton::load_nodes(&data)?;
    let skins = skeleton::load_skins(&data)?;
    let meshes = mesh::load_meshes(&data, &mut warnings)?;
    let materials = materials::load_materials(&data, &mut warnings)?;
    for (m, mesh) in meshes.iter().enumerate() {
        for (p, primitive) in mesh.primitives.iter().enumerate() {
            if let Some(material) = primitive.material.filter(|&i| i >= materials.len()) {
                return Err(AvatarError::IndexOutOfRange {
                    kind: "material",
                    index: material,
                    count: materials.len(),
                    referrer: format!("mesh {m} primitive {p}"),
                });
            }
        }
    }
    check_skin_joints(&nodes, &meshes, &skins)?;
    let textures = images::load_textures(&data, base_dir)?;
    let morph_counts: Vec<Option<usize>> = nodes
        .iter()
        .map(|n| {
            n.mesh
                .and_then(|m| meshes.get(m))
                .map(|m| m.morph_names.len())
        })
        .collect();
    let animations = clips::load_clips(&data, &morph_counts, &mut warnings)?;

    let mesh_targets: Vec<usize> = meshes.iter().map(|m| m.morph_names.len()).collect();
    let extensions = data.root.extensions.as_ref().map(|e| &e.others);
    let (expressions, mut humanoid) = match vrm::read(extensions, &nodes, &mesh_targets) {
        Some(found) => {
            if found.version == vrm::VrmVersion::V0 {
                vrm::turn_to_face_plus_z(&mut nodes, &roots);
            }
            (found.expressions, found.humanoid)
        }
        None => (Vec::new(), Humanoid::default()),
    };
    humanoid::fill_by_name(&nodes, &mut humanoid);
    if humanoid.head.is_none() {
        warnings.push(AvatarWarning::NoHeadBone);
    }
    let avatar = Avatar {
        name: name.to_string(),
        nodes,
        roots,
        meshes,
        skins,
        materials,
        textures,
        expressions,
        humanoid,
        animations,
    };
    Ok((avatar, warnings))
}
