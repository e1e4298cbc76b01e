//! What can go wrong loading an avatar, and what is merely worth a warning.

use std::path::PathBuf;

/// Why an avatar file could not be loaded. Messages say what happened and
/// what to do; a file path, when there is one, comes last.
#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    #[error(
        "cannot read the avatar file ({source}); check that it exists and is readable: {path:?}"
    )]
    Io {
        source: std::io::Error,
        path: PathBuf,
    },
    #[error(
        "unsupported avatar file extension {extension:?}; use a .glb, .vrm or .gltf file: {path:?}"
    )]
    UnsupportedFileType { extension: String, path: PathBuf },
    #[error("not a glTF binary (GLB) file: {reason}; export the avatar as glTF 2.0 .glb or .vrm")]
    NotGltf { reason: String },
    #[error(
        "truncated GLB file: {what} needs {expected} bytes but only {actual} are there; \
         the file was cut short, download or export it again"
    )]
    TruncatedGlb {
        what: String,
        expected: u64,
        actual: u64,
    },
    #[error("the glTF JSON is invalid ({message}); re-export the avatar with a glTF 2.0 exporter")]
    BadJson { message: String },
    #[error(
        "glTF {kind} index {index} is out of range (the file has {count}), referenced by {referrer}; the file is corrupt"
    )]
    IndexOutOfRange {
        kind: &'static str,
        index: usize,
        count: usize,
        referrer: String,
    },
    #[error("accessor {accessor} is invalid: {reason}; the file is corrupt")]
    BadAccessor { accessor: usize, reason: String },
    #[error(
        "accessor {accessor} reads bytes {start}..{end} but its data has only {available} bytes; \
         the file is corrupt or truncated"
    )]
    AccessorOutOfBounds {
        accessor: usize,
        start: u64,
        end: u64,
        available: u64,
    },
    #[error("buffer {buffer} is invalid: {reason}")]
    BadBuffer { buffer: usize, reason: String },
    #[error(
        "the avatar requires the glTF extension {name}, which avatarcast does not support; \
         re-export it without {name}"
    )]
    UnsupportedExtension { name: String },
    #[error("texture {texture} has no usable image ({reason}); the file is corrupt")]
    MissingTexture { texture: usize, reason: String },
    #[error(
        "image {image} refers to a file that cannot be read ({source}); put it next to the .gltf file: {path:?}"
    )]
    MissingImageFile {
        image: usize,
        source: std::io::Error,
        path: PathBuf,
    },
    #[error(
        "buffer {buffer} refers to a file that cannot be read ({source}); put it next to the .gltf file: {path:?}"
    )]
    MissingBufferFile {
        buffer: usize,
        source: std::io::Error,
        path: PathBuf,
    },
    #[error("image {image} cannot be decoded ({reason}); use PNG, JPEG or WebP")]
    BadImage { image: usize, reason: String },
    #[error(
        "buffer view {view} has bad EXT_meshopt_compression data ({reason}); \
         the file is corrupt, or re-export it with gltfpack"
    )]
    BadMeshopt { view: usize, reason: String },
    #[error("mesh {mesh} primitive {primitive} is invalid: {reason}")]
    BadPrimitive {
        mesh: usize,
        primitive: usize,
        reason: String,
    },
    #[error(
        "the avatar cannot lip-sync: it has no mouth morph targets (looked for Oculus \
         `viseme_aa`..`viseme_U` or any `viseme_*`, ARKit `jawOpen`, or a VRM `aa` expression); \
         add them to the model: {path:?}"
    )]
    NoMouthMorphs { path: PathBuf },
}

/// Something an avatar lacks or a file feature we ignore: the avatar still
/// loads and animates, perhaps with less expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvatarWarning {
    /// No `eyeBlinkLeft/Right`, VRM `blink` or `Fcl_EYE_Close`: the eyes never close.
    NoBlinkShapes,
    /// An optional (used, not required) extension we do not read.
    ExtensionIgnored { name: String },
    /// A material uses a second UV set; only TEXCOORD_0 is rendered.
    TexCoordSetIgnored { material: usize, tex_coord: u32 },
    /// Points and lines are not rendered.
    PrimitiveModeIgnored { mesh: usize, primitive: usize },
    /// No head bone was found by humanoid data or by name: framing uses bounds.
    NoHeadBone,
    /// A glTF animation is malformed and is not played.
    AnimationIgnored { name: String, reason: String },
    /// A material's KHR_materials_anisotropy is malformed: the material is
    /// drawn without it.
    AnisotropyIgnored { material: usize, reason: String },
}

impl std::fmt::Display for AvatarWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AvatarWarning::NoBlinkShapes => write!(
                f,
                "no blink morph targets (eyeBlinkLeft/Right, VRM blink): the eyes will not blink"
            ),
            AvatarWarning::ExtensionIgnored { name } => {
                write!(f, "optional glTF extension {name} is ignored")
            }
            AvatarWarning::TexCoordSetIgnored {
                material,
                tex_coord,
            } => write!(
                f,
                "material {material} uses TEXCOORD_{tex_coord}; only TEXCOORD_0 is rendered"
            ),
            AvatarWarning::PrimitiveModeIgnored { mesh, primitive } => write!(
                f,
                "mesh {mesh} primitive {primitive} is points or lines and is not rendered"
            ),
            AvatarWarning::NoHeadBone => {
                write!(
                    f,
                    "no head bone found: the camera frames the top of the mesh bounds"
                )
            }
            AvatarWarning::AnimationIgnored { name, reason } => write!(
                f,
                "animation {name:?} is not played: {reason}; re-export it from your animation tool"
            ),
            AvatarWarning::AnisotropyIgnored { material, reason } => write!(
                f,
                "material {material}: KHR_materials_anisotropy {reason}; it is drawn without anisotropy"
            ),
        }
    }
}
