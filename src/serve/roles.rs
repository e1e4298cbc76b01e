//! `GET /api/roles`: the built roles a visitor may pick, and the languages
//! each speaks, for the page's pickers (docs/protocol.md).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::speech::Lang;

/// One entry of `/api/roles`: `{"id":"amy","name":"Amy","languages":["en","zh"],"default":true}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleEntry {
    pub id: String,
    pub name: String,
    pub languages: Vec<&'static str>,
    /// Only the role a session gets without `?avatar=` carries `"default": true`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
}

/// What `role.toml` says about the role's name (`display_name` in built roles).
#[derive(Deserialize)]
struct RoleNames {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// The roles built in `dirs` (a folder `<id>/` with `role.toml` and `<id>.glb`;
/// the first folder wins for an id), sorted by id. `default_id` is marked as
/// the default. Every role speaks every language: a role's voice for another
/// language is its variant of that language's voice (`RoleInfo::voice_for`).
/// Unreadable folders and files are skipped: the list only feeds pickers.
pub fn list_roles(dirs: &[PathBuf], default_id: Option<&str>) -> Vec<RoleEntry> {
    let mut roles: BTreeMap<String, RoleEntry> = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Some(id) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let folder = entry.path();
            if roles.contains_key(&id) || !folder.join(format!("{id}.glb")).is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(folder.join("role.toml")) else {
                continue;
            };
            let names: Option<RoleNames> = toml::from_str(&text).ok();
            let name = names
                .and_then(|n| n.display_name.or(n.name))
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| id.clone());
            let default = default_id == Some(id.as_str());
            let languages = [Lang::En, Lang::Zh].iter().map(|l| l.code()).collect();
            roles.insert(
                id.clone(),
                RoleEntry {
                    id,
                    name,
                    languages,
                    default,
                },
            );
        }
    }
    roles.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(dir: &std::path::Path, id: &str, toml: &str) {
        let folder = dir.join(id);
        std::fs::create_dir_all(&folder).expect("role folder");
        std::fs::write(folder.join("role.toml"), toml).expect("role.toml");
        std::fs::write(folder.join(format!("{id}.glb")), b"glTF").expect("glb");
    }

    #[test]
    fn lists_built_roles_with_names_languages_and_the_default() {
        let first = tempfile::tempdir().expect("temp dir");
        let second = tempfile::tempdir().expect("temp dir");
        role(first.path(), "leo", "display_name = \"Leo\"\n");
        role(
            first.path(),
            "amy",
            "display_name = \"Amy\"\nvoice = \"en-us+f3\"\n",
        );
        // Same id in a later folder: the first one wins.
        role(second.path(), "amy", "display_name = \"Other Amy\"\n");
        // No name, and broken TOML: the id stands in.
        role(second.path(), "zoe", "voice = [\n");
        // Not a role: no model file.
        std::fs::create_dir_all(second.path().join("notes")).expect("folder");
        std::fs::write(second.path().join("notes/role.toml"), "").expect("toml");

        let dirs = vec![
            first.path().to_path_buf(),
            PathBuf::from("/no/such/folder"),
            second.path().to_path_buf(),
        ];
        let json = serde_json::to_value(list_roles(&dirs, Some("amy"))).expect("json");
        assert_eq!(
            json,
            serde_json::json!([
                {"id": "amy", "name": "Amy", "languages": ["en", "zh"], "default": true},
                {"id": "leo", "name": "Leo", "languages": ["en", "zh"]},
                {"id": "zoe", "name": "zoe", "languages": ["en", "zh"]},
            ])
        );
    }

    #[test]
    fn no_folders_no_roles() {
        assert!(list_roles(&[], None).is_empty());
    }
}
