//! Finding the avatar a user named: a built-in role, a folder, or a file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::EngineError;

/// Where an avatar comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AvatarSource {
    /// A role built by `avatarcast avatar build`, by id (e.g. the default role).
    Role(String),
    /// A `.glb`, `.gltf` or `.vrm` file.
    File(PathBuf),
}

impl AvatarSource {
    /// `name` (a role id), or anything that looks like a path (has a
    /// separator or a glTF extension).
    pub fn parse(s: &str) -> AvatarSource {
        let lower = s.to_ascii_lowercase();
        let is_file = s.contains('/')
            || s.contains('\\')
            || [".glb", ".gltf", ".vrm"].iter().any(|e| lower.ends_with(e));
        if is_file {
            AvatarSource::File(PathBuf::from(s))
        } else {
            AvatarSource::Role(s.to_string())
        }
    }
}

/// What `role.toml` beside a built avatar says about the role.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct RoleInfo {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Default espeak-ng voice for the role, e.g. `en-us+f3`.
    #[serde(default)]
    pub voice: Option<String>,
    /// Default language (`en` or `zh`).
    #[serde(default)]
    pub lang: Option<String>,
    /// Voices per language, e.g. `zh = "cmn-latn-pinyin+f3"`.
    #[serde(default)]
    pub voices: std::collections::BTreeMap<String, String>,
}

impl RoleInfo {
    /// The role's voice for `lang`: its own voice when it speaks that
    /// language, else the language's default voice with the role's variant
    /// (so a woman's role keeps a woman's voice in Chinese).
    pub fn voice_for(&self, lang: crate::speech::Lang) -> Option<String> {
        if let Some(v) = self.voices.get(lang.code()) {
            return Some(v.clone());
        }
        let voice = self.voice.as_deref()?;
        let role_lang = self
            .lang
            .as_deref()
            .and_then(|l| l.parse::<crate::speech::Lang>().ok());
        if role_lang == Some(lang) {
            return Some(voice.to_string());
        }
        let variant = voice.split_once('+').map(|(_, v)| v)?;
        let base = match lang {
            crate::speech::Lang::En => "en-us",
            crate::speech::Lang::Zh => "cmn-latn-pinyin",
        };
        Some(format!("{base}+{variant}"))
    }
}

/// The folders searched for built roles, in order: `$AVATARCAST_AVATARS`,
/// `./avatars`, and `avatars/` beside the executable's project.
pub fn avatar_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("AVATARCAST_AVATARS") {
        dirs.push(PathBuf::from(d));
    }
    dirs.push(PathBuf::from("avatars"));
    dirs.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("avatars"));
    dirs
}

/// The default role: the first role (by id) found in the avatar folders.
pub fn default_role_id(dirs: &[PathBuf]) -> Option<String> {
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut ids: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("role.toml").is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        ids.sort();
        // The woman's role is the product's default greeter; role ids sort so it comes first.
        if let Some(first) = ids.into_iter().next() {
            return Some(first);
        }
    }
    None
}

/// Resolves a source to a model file and, for roles, its `role.toml`.
pub fn resolve_avatar(
    source: Option<&AvatarSource>,
) -> Result<(PathBuf, Option<RoleInfo>), EngineError> {
    let dirs = avatar_dirs();
    let role_id = match source {
        Some(AvatarSource::File(path)) => {
            if !path.is_file() {
                return Err(EngineError::Input(format!(
                    "avatar file not found; give a .glb, .gltf or .vrm file or a role name: {}",
                    path.display()
                )));
            }
            return Ok((path.clone(), None));
        }
        Some(AvatarSource::Role(id)) => id.clone(),
        None => default_role_id(&dirs).ok_or_else(|| {
            EngineError::Input(
                "no avatar built yet; run `scripts/setup.sh` or `avatarcast avatar build`, \
                 or pass --avatar path/to/model.glb"
                    .into(),
            )
        })?,
    };
    for dir in &dirs {
        let folder = dir.join(&role_id);
        let glb = folder.join(format!("{role_id}.glb"));
        if glb.is_file() {
            return Ok((glb, read_role(&folder.join("role.toml"))?));
        }
    }
    Err(EngineError::Input(format!(
        "no avatar role called `{role_id}`; build the default roles with `avatarcast avatar build` \
         or pass --avatar path/to/model.glb (searched {})",
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

fn read_role(path: &Path) -> Result<Option<RoleInfo>, EngineError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(EngineError::Input(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    toml::from_str(&text).map(Some).map_err(|e| {
        EngineError::Input(format!(
            "role file is not valid TOML ({e}): {}",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_roles_and_paths_are_files() {
        assert_eq!(AvatarSource::parse("amy"), AvatarSource::Role("amy".into()));
        assert_eq!(
            AvatarSource::parse("x.GLB"),
            AvatarSource::File("x.GLB".into())
        );
        assert_eq!(
            AvatarSource::parse("dir/model"),
            AvatarSource::File("dir/model".into())
        );
        assert_eq!(
            AvatarSource::parse("a.vrm"),
            AvatarSource::File("a.vrm".into())
        );
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let err = resolve_avatar(Some(&AvatarSource::File("/nope/x.glb".into()))).unwrap_err();
        assert!(err.to_string().contains("avatar file not found"), "{err}");
    }

    #[test]
    fn role_toml_parses_with_defaults() {
        let info: RoleInfo = toml::from_str("id = \"amy\"\nname = \"Amy\"\nvoice = \"en-us+f3\"\n[voices]\nzh = \"cmn-latn-pinyin+f3\"\n").unwrap();
        assert_eq!(info.voice.as_deref(), Some("en-us+f3"));
        assert_eq!(
            info.voices.get("zh").map(String::as_str),
            Some("cmn-latn-pinyin+f3")
        );
    }

    #[test]
    fn a_role_keeps_its_voice_variant_in_other_languages() {
        use crate::speech::Lang;
        let info: RoleInfo = toml::from_str("voice = \"en-us+f3\"\nlang = \"en-US\"\n").unwrap();
        assert_eq!(info.voice_for(Lang::En).as_deref(), Some("en-us+f3"));
        assert_eq!(
            info.voice_for(Lang::Zh).as_deref(),
            Some("cmn-latn-pinyin+f3")
        );
        let plain: RoleInfo = toml::from_str("voice = \"en-gb\"\nlang = \"en\"\n").unwrap();
        assert_eq!(plain.voice_for(Lang::Zh), None);
    }
}
