//! The `[animation]` table of a config file (`avatarcast serve --config`,
//! `avatarcast render --config`): the few knobs worth turning, all
//! optional, checked against ranges that still look human.
//!
//! ```toml
//! [animation]
//! lead_ms = 30                  # mouth ahead of the sound
//! attack_ms = 60                # viseme cross-fade in / out
//! release_ms = 70
//! min_hold_ms = 70              # shortest viseme shown
//! tongue_consonant_weight = 0.75
//! jaw_floor = 0.55              # jaw opening of the quietest speech
//! blinks_per_min = 15
//! head_sway_deg = 1.4
//! expression_strength = 1.0     # 0 = no expressions, 1.5 = theatrical
//! expression_attack_ms = 300
//! expression_release_ms = 300
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::clock::SampleTime;

use super::{AnimationError, AnimationParams};

/// The `[animation]` table as written; every key optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnimationTable {
    pub lead_ms: Option<u64>,
    pub attack_ms: Option<u64>,
    pub release_ms: Option<u64>,
    pub min_hold_ms: Option<u64>,
    pub tongue_consonant_weight: Option<f32>,
    pub jaw_floor: Option<f32>,
    pub blinks_per_min: Option<f32>,
    pub head_sway_deg: Option<f32>,
    pub expression_strength: Option<f32>,
    pub expression_attack_ms: Option<u64>,
    pub expression_release_ms: Option<u64>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    animation: AnimationTable,
}

fn millis(key: &str, v: u64, range: std::ops::RangeInclusive<u64>) -> Result<SampleTime, String> {
    if range.contains(&v) {
        Ok(SampleTime::from_millis(v))
    } else {
        Err(format!(
            "[animation] {key} must be {}..={} ms, got {v}",
            range.start(),
            range.end()
        ))
    }
}

fn number(key: &str, v: f32, range: std::ops::RangeInclusive<f32>) -> Result<f32, String> {
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "[animation] {key} must be {}..={}, got {v}",
            range.start(),
            range.end()
        ))
    }
}

impl AnimationTable {
    /// Overrides `params` with the keys that are set; the message names the
    /// key and its allowed range.
    pub fn apply(&self, params: &mut AnimationParams) -> Result<(), String> {
        if let Some(v) = self.lead_ms {
            params.lead = millis("lead_ms", v, 0..=200)?;
        }
        if let Some(v) = self.attack_ms {
            params.attack = millis("attack_ms", v, 1..=500)?;
        }
        if let Some(v) = self.release_ms {
            params.release = millis("release_ms", v, 1..=500)?;
        }
        if let Some(v) = self.min_hold_ms {
            params.min_hold = millis("min_hold_ms", v, 0..=300)?;
        }
        if let Some(v) = self.tongue_consonant_weight {
            params.tongue_consonant_weight = number("tongue_consonant_weight", v, 0.0..=1.0)?;
        }
        if let Some(v) = self.jaw_floor {
            params.jaw_floor = number("jaw_floor", v, 0.0..=1.0)?;
        }
        if let Some(v) = self.blinks_per_min {
            params.blinks_per_min = number("blinks_per_min", v, 2.0..=40.0)?;
        }
        if let Some(v) = self.head_sway_deg {
            params.head_sway_rad = number("head_sway_deg", v, 0.0..=10.0)?.to_radians();
        }
        if let Some(v) = self.expression_strength {
            params.expression_strength = number("expression_strength", v, 0.0..=1.5)?;
        }
        if let Some(v) = self.expression_attack_ms {
            params.expression_attack = millis("expression_attack_ms", v, 10..=2000)?;
        }
        if let Some(v) = self.expression_release_ms {
            params.expression_release = millis("expression_release_ms", v, 10..=2000)?;
        }
        Ok(())
    }
}

impl AnimationParams {
    /// The defaults with a config file's `[animation]` table applied (other
    /// tables are left to their readers). `path` is for messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<AnimationParams, AnimationError> {
        let bad = |reason: String| AnimationError::Config {
            reason,
            path: path.to_path_buf(),
        };
        let file: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut params = AnimationParams::default();
        file.animation.apply(&mut params).map_err(bad)?;
        Ok(params)
    }

    /// [`AnimationParams::from_toml`] on a file.
    pub fn from_config_file(path: &Path) -> Result<AnimationParams, AnimationError> {
        let text = std::fs::read_to_string(path).map_err(|e| AnimationError::Config {
            reason: format!("cannot read it ({e})"),
            path: path.to_path_buf(),
        })?;
        Self::from_toml(&text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_override_defaults_and_other_tables_are_ignored() {
        let text = "[serve]\nfps = 25\n[animation]\nlead_ms = 50\njaw_floor = 0.4\n\
                    head_sway_deg = 2.0\nexpression_strength = 0.5\n";
        let p = AnimationParams::from_toml(text, Path::new("a.toml")).expect("valid");
        assert_eq!(p.lead, SampleTime::from_millis(50));
        assert_eq!((p.jaw_floor, p.expression_strength), (0.4, 0.5));
        assert!((p.head_sway_rad - 2.0f32.to_radians()).abs() < 1e-6);
        assert_eq!(p.attack, AnimationParams::default().attack);
        let none = AnimationParams::from_toml("", Path::new("a.toml")).expect("empty is fine");
        assert_eq!(none, AnimationParams::default());
    }

    #[test]
    fn out_of_range_and_unknown_keys_say_which_and_where() {
        for (text, needle) in [
            (
                "[animation]\nlead_ms = 900\n",
                "lead_ms must be 0..=200 ms, got 900",
            ),
            (
                "[animation]\njaw_floor = 1.5\n",
                "jaw_floor must be 0..=1, got 1.5",
            ),
            ("[animation]\nblinks_per_min = 100\n", "blinks_per_min"),
            (
                "[animation]\nexpression_strength = -1\n",
                "expression_strength",
            ),
            ("[animation]\nblink_rate = 3\n", "blink_rate"),
        ] {
            let err = AnimationParams::from_toml(text, Path::new("conf/a.toml"))
                .expect_err(text)
                .to_string();
            assert!(
                err.contains(needle) && err.ends_with("conf/a.toml"),
                "{err}"
            );
        }
    }
}
