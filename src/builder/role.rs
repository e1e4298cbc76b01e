//! What a role looks and sounds like: the knobs a customer turns to make
//! their own avatar. Every knob has a sensible default (see `default_roles`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::BuildError;
use super::details::{MAX_DETAILS, check_detail, parse_detail};
use super::regions::HairStyle;

/// An sRGB colour, written `#rrggbb` on the command line and in TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rgb8(pub [u8; 3]);

impl Rgb8 {
    /// Linear-light components in 0..=1.
    pub fn linear(self) -> [f32; 3] {
        self.0.map(|c| srgb_to_linear(c as f32 / 255.0))
    }
}

pub fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

pub fn linear_to_srgb(c: f32) -> f32 {
    let c = c.clamp(0.0, 1.0);
    if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

impl FromStr for Rgb8 {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let hex = s.trim().trim_start_matches('#');
        let bad = || format!("`{s}` is not a colour; write it as #rrggbb, e.g. #c58c6b");
        if hex.len() != 6 || !hex.is_ascii() {
            return Err(bad());
        }
        let mut rgb = [0u8; 3];
        for (i, slot) in rgb.iter_mut().enumerate() {
            *slot = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Rgb8(rgb))
    }
}

impl TryFrom<String> for Rgb8 {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Rgb8> for String {
    fn from(c: Rgb8) -> String {
        c.to_string()
    }
}

impl fmt::Display for Rgb8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0[0], self.0[1], self.0[2])
    }
}

/// One avatar role. Body knobs are MakeHuman's macro modifiers (0..=1, 0.5 is
/// average); ethnicity weights are normalised to sum 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleSpec {
    /// Folder and file name: lower-case letters, digits, `-` and `_`.
    pub id: String,
    pub display_name: String,
    /// 0 = female, 1 = male.
    pub gender: f32,
    /// 1..=90 years; customer-facing roles are adults (18+).
    pub age_years: f32,
    pub african: f32,
    pub asian: f32,
    pub caucasian: f32,
    /// 0 = slender frame, 1 = muscular.
    pub muscle: f32,
    /// 0 = thin, 1 = heavy.
    pub weight: f32,
    /// 0 = short, 1 = tall (MakeHuman's height modifier).
    pub height: f32,
    /// 0 = uncommon, 1 = idealised proportions.
    pub proportions: f32,
    pub skin_tone: Rgb8,
    pub hair_color: Rgb8,
    pub eye_color: Rgb8,
    /// Lip colour before it is blended into the skin.
    pub lip_color: Rgb8,
    /// The uniform top (shirt with collar).
    pub uniform_color: Rgb8,
    pub trousers_color: Rgb8,
    /// Hair thickness on the crown, millimetres (short styles: 6..=25).
    pub hair_volume_mm: f32,
    /// How far below eye level the hair hangs at the sides and back,
    /// millimetres: 0 for a short crop, ~90 for a jaw-length bob.
    pub hair_length_mm: f32,
    /// Width of a bun the hair is gathered into at the back of the head,
    /// millimetres: 0 for none. A role with a bun (and no length) wears its
    /// hair combed back from the face.
    #[serde(default)]
    pub hair_bun_mm: f32,
    /// How much the face smiles at rest, 0..=0.5 (of ARKit's `mouthSmile`
    /// on both sides): a customer-service role greets with a pleasant
    /// resting face, not a blank one.
    #[serde(default)]
    pub rest_smile: f32,
    /// How far the upper lids rest towards closed, 0..=0.3 (of ARKit's
    /// `eyeBlink`): where the neutral lids stop at the top of the iris
    /// the eyes stare; relaxed, they cover a millimetre or two of it.
    #[serde(default)]
    pub rest_upper_lids: f32,
    /// TTS voice id and BCP-47 language the role speaks by default.
    pub voice: String,
    pub lang: String,
    /// MakeHuman detail targets on top of the body knobs, name → weight
    /// 0..=1 (see `details.rs`): `eyes/eye-scale-incr = 0.3`.
    #[serde(default)]
    pub details: BTreeMap<String, f32>,
}

/// Hair reaching further than this below eye level (millimetres) hangs
/// as a bob; shorter hair is cropped or tied back.
const HANGING_MIN_MM: f32 = 10.0;

impl RoleSpec {
    /// How the role wears its hair, from its length and bun.
    pub fn hair_style(&self) -> HairStyle {
        if self.hair_length_mm > HANGING_MIN_MM {
            HairStyle::Bob
        } else if self.hair_bun_mm > 0.0 {
            HairStyle::Bun
        } else {
            HairStyle::Crop
        }
    }

    /// Checks the knobs are in range, so the build never produces a monster.
    pub fn validate(&self) -> Result<(), BuildError> {
        let bad = |message: String| BuildError::InvalidRole {
            id: self.id.clone(),
            message,
        };
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(bad(
                "the id must be lower-case letters, digits, `-` or `_`".into()
            ));
        }
        for (name, value) in [
            ("gender", self.gender),
            ("muscle", self.muscle),
            ("weight", self.weight),
            ("height", self.height),
            ("proportions", self.proportions),
            ("african", self.african),
            ("asian", self.asian),
            ("caucasian", self.caucasian),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(bad(format!("{name} is {value}; use 0..=1")));
            }
        }
        if self.african + self.asian + self.caucasian <= 0.0 {
            return Err(bad(
                "set at least one of african, asian, caucasian above 0".into()
            ));
        }
        if !(18.0..=90.0).contains(&self.age_years) {
            return Err(bad(format!("age {} years; use 18..=90", self.age_years)));
        }
        if !(0.0..=150.0).contains(&self.hair_length_mm) {
            return Err(bad(format!(
                "hair length {} mm; use 0..=150",
                self.hair_length_mm
            )));
        }
        if !(0.0..=0.5).contains(&self.rest_smile) {
            return Err(bad(format!("rest smile {}; use 0..=0.5", self.rest_smile)));
        }
        if !(0.0..=0.3).contains(&self.rest_upper_lids) {
            return Err(bad(format!(
                "rest upper lids {}; use 0..=0.3",
                self.rest_upper_lids
            )));
        }
        if self.hair_bun_mm != 0.0 && !(40.0..=110.0).contains(&self.hair_bun_mm) {
            return Err(bad(format!(
                "hair bun {} mm; use 0 (none) or 40..=110",
                self.hair_bun_mm
            )));
        }
        if self.hair_length_mm > HANGING_MIN_MM && self.hair_bun_mm > 0.0 {
            return Err(bad(
                "hair hangs (length above 10 mm) or is tied in a bun, not both".into(),
            ));
        }
        if !(0.0..=40.0).contains(&self.hair_volume_mm) {
            return Err(bad(format!(
                "hair volume {} mm; use 0..=40",
                self.hair_volume_mm
            )));
        }
        if self.details.len() > MAX_DETAILS {
            return Err(bad(format!(
                "{} details; use at most {MAX_DETAILS}",
                self.details.len()
            )));
        }
        for (name, weight) in &self.details {
            check_detail(name, *weight).map_err(bad)?;
        }
        Ok(())
    }
}

/// The product's two default roles: customer-service employees in a teal
/// uniform, a young woman and a young man of different ethnicities.
pub fn default_roles() -> Vec<RoleSpec> {
    vec![
        RoleSpec {
            id: "amy".into(),
            display_name: "Amy".into(),
            gender: 0.0,
            age_years: 27.0,
            african: 0.05,
            asian: 0.75,
            caucasian: 0.2,
            muscle: 0.5,
            weight: 0.45,
            height: 0.55,
            proportions: 0.7,
            skin_tone: Rgb8([0xe9, 0xbf, 0xa5]),
            hair_color: Rgb8([0x3a, 0x27, 0x1e]),
            eye_color: Rgb8([0x2e, 0x21, 0x19]),
            lip_color: Rgb8([0xb8, 0x5a, 0x5e]),
            uniform_color: Rgb8([0x1f, 0x5f, 0x6b]),
            trousers_color: Rgb8([0x22, 0x26, 0x30]),
            hair_volume_mm: 10.0,
            // Ends at the jaw, clear of the collar (at 95 mm they touched
            // it in a three-quarter view).
            hair_length_mm: 85.0,
            hair_bun_mm: 0.0,
            rest_smile: 0.3,
            rest_upper_lids: 0.08,
            voice: "en-us+f3".into(),
            lang: "en-US".into(),
            // Larger, more open eyes, a slimmer, softer oval face (at the
            // macro targets' width it read round and childlike), a narrower
            // mouth with slimmer lips and flatter ears (they showed between
            // the cheeks and the hair) than the macro targets give, a
            // shorter chin, a firmer jaw and a finer nose (a review saw a
            // flat face with a long chin), and mouth corners that turn up a
            // little at rest (a pleasant resting face for the counter);
            // tuned by eye on rendered portraits.
            // The bob frames the face: combed back into a bun
            // (`--hair-length-mm 0 --hair-bun-mm 80`), the face read wide.
            details: details(&[
                ("cheek/cheek-bones-incr", 0.5),
                ("chin/chin-bones-incr", 0.2),
                ("chin/chin-height-decr", 0.3),
                ("chin/chin-width-decr", 0.2),
                ("ears/ear-wing-decr", 0.5),
                ("eyes/eye-height2-incr", 0.6),
                ("eyes/eye-scale-incr", 0.5),
                ("head/head-fat-decr", 0.4),
                ("head/head-oval", 0.5),
                ("head/head-scale-horiz-decr", 0.2),
                ("mouth/mouth-angles-up", 0.4),
                ("mouth/mouth-lowerlip-volume-decr", 0.55),
                ("mouth/mouth-scale-depth-decr", 0.3),
                ("mouth/mouth-scale-horiz-decr", 0.2),
                ("mouth/mouth-upperlip-volume-decr", 0.3),
                ("nose/nose-flaring-decr", 0.3),
                ("nose/nose-point-width-decr", 0.2),
                ("nose/nose-scale-horiz-decr", 0.25),
            ]),
        },
        RoleSpec {
            id: "leo".into(),
            display_name: "Leo".into(),
            gender: 1.0,
            age_years: 30.0,
            african: 0.85,
            asian: 0.0,
            caucasian: 0.15,
            muscle: 0.55,
            weight: 0.4,
            height: 0.5,
            proportions: 0.7,
            // A deep, slightly cool brown: under the warm key light the
            // former #8d5a3c read as orange, and #74503c still as
            // orange-red. Lips a little darker and cooler than the skin.
            skin_tone: Rgb8([0x6f, 0x4f, 0x3e]),
            hair_color: Rgb8([0x1a, 0x14, 0x12]),
            eye_color: Rgb8([0x3b, 0x24, 0x16]),
            lip_color: Rgb8([0x5e, 0x35, 0x33]),
            uniform_color: Rgb8([0x1e, 0x2f, 0x55]),
            trousers_color: Rgb8([0x23, 0x25, 0x2b]),
            hair_volume_mm: 7.0,
            hair_length_mm: 0.0,
            hair_bun_mm: 0.0,
            rest_smile: 0.3,
            // His neutral lids already cover the top of the iris; a little
            // lower, as the whites stared against his darker skin.
            rest_upper_lids: 0.05,
            voice: "en-us+m3".into(),
            lang: "en-US".into(),
            // A leaner, longer face with a firmer chin and slimmer lips
            // than the macro targets give, more open eyes under slightly
            // raised brows and mouth corners turned up a little (at rest
            // he read as tired and stern), and a narrower, lower skull (one
            // review called it boxy; narrower alone, another long); tuned
            // by eye on portraits.
            details: details(&[
                ("cheek/cheek-bones-incr", 0.3),
                ("chin/chin-prominent-incr", 0.4),
                ("eyebrows/eyebrows-trans-up", 0.3),
                ("eyes/eye-height1-incr", 0.4),
                ("eyes/eye-height2-incr", 0.5),
                ("eyes/eye-scale-incr", 0.15),
                ("head/head-fat-decr", 0.5),
                ("head/head-oval", 0.5),
                ("head/head-scale-horiz-decr", 0.12),
                ("head/head-scale-vert-decr", 0.15),
                ("mouth/mouth-angles-up", 0.5),
                ("mouth/mouth-laugh-lines-in", 0.5),
                ("mouth/mouth-lowerlip-volume-decr", 0.3),
                ("mouth/mouth-upperlip-volume-decr", 0.3),
            ]),
        },
    ]
}

fn details(pairs: &[(&str, f32)]) -> BTreeMap<String, f32> {
    pairs.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

/// Command-line overrides for one role, for `avatarcast avatar build`:
/// start from a default role (`--base amy`) and change any knob.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RoleOverrides {
    /// Default role to start from (`amy` or `leo`).
    #[arg(long)]
    pub base: Option<String>,
    /// New role id (folder name); defaults to the base role's id.
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long)]
    pub display_name: Option<String>,
    /// 0 = female .. 1 = male.
    #[arg(long)]
    pub gender: Option<f32>,
    /// Age in years (18..=90).
    #[arg(long)]
    pub age_years: Option<f32>,
    #[arg(long)]
    pub african: Option<f32>,
    #[arg(long)]
    pub asian: Option<f32>,
    #[arg(long)]
    pub caucasian: Option<f32>,
    #[arg(long)]
    pub muscle: Option<f32>,
    #[arg(long)]
    pub weight: Option<f32>,
    #[arg(long)]
    pub height: Option<f32>,
    #[arg(long)]
    pub proportions: Option<f32>,
    /// sRGB `#rrggbb`.
    #[arg(long)]
    pub skin_tone: Option<Rgb8>,
    #[arg(long)]
    pub hair_color: Option<Rgb8>,
    #[arg(long)]
    pub eye_color: Option<Rgb8>,
    #[arg(long)]
    pub lip_color: Option<Rgb8>,
    #[arg(long)]
    pub uniform_color: Option<Rgb8>,
    #[arg(long)]
    pub trousers_color: Option<Rgb8>,
    #[arg(long)]
    pub hair_volume_mm: Option<f32>,
    /// Hair length below eye level, mm (0 short crop, ~90 jaw-length bob).
    #[arg(long)]
    pub hair_length_mm: Option<f32>,
    /// Width of a bun at the back of the head, mm (0 none, 40..=110): the
    /// hair is combed back from the face into it. Set a length of 0 with it.
    #[arg(long)]
    pub hair_bun_mm: Option<f32>,
    /// How much the face smiles at rest, 0..=0.5 (0: a neutral face).
    #[arg(long)]
    pub rest_smile: Option<f32>,
    /// How far the upper lids rest towards closed, 0..=0.3 (0: MakeHuman's
    /// neutral lids).
    #[arg(long)]
    pub rest_upper_lids: Option<f32>,
    #[arg(long)]
    pub voice: Option<String>,
    #[arg(long)]
    pub lang: Option<String>,
    /// A MakeHuman detail target and its weight 0..=1, e.g.
    /// `eyes/eye-scale-incr=0.3` (repeatable; a name without `l-`/`r-` sets
    /// both sides; weight 0 removes one the base role has). Folders: eyes,
    /// mouth, nose, cheek, chin, ears, head, neck, …
    #[arg(long = "detail", value_name = "NAME=WEIGHT", value_parser = parse_detail)]
    pub details: Vec<(String, f32)>,
}

impl RoleOverrides {
    /// True when no knob is set (build the default roles unchanged).
    pub fn is_empty(&self) -> bool {
        self.base.is_none()
            && self.id.is_none()
            && self.display_name.is_none()
            && self.gender.is_none()
            && self.age_years.is_none()
            && self.african.is_none()
            && self.asian.is_none()
            && self.caucasian.is_none()
            && self.muscle.is_none()
            && self.weight.is_none()
            && self.height.is_none()
            && self.proportions.is_none()
            && self.skin_tone.is_none()
            && self.hair_color.is_none()
            && self.eye_color.is_none()
            && self.lip_color.is_none()
            && self.uniform_color.is_none()
            && self.trousers_color.is_none()
            && self.hair_volume_mm.is_none()
            && self.hair_length_mm.is_none()
            && self.hair_bun_mm.is_none()
            && self.rest_smile.is_none()
            && self.rest_upper_lids.is_none()
            && self.voice.is_none()
            && self.lang.is_none()
            && self.details.is_empty()
    }

    /// The base role with these overrides applied, validated.
    pub fn apply(&self) -> Result<RoleSpec, BuildError> {
        let base_id = self.base.as_deref().unwrap_or("amy");
        let mut role = default_roles()
            .into_iter()
            .find(|r| r.id == base_id)
            .ok_or_else(|| BuildError::InvalidRole {
                id: base_id.to_string(),
                message: "no such default role; use --base amy or --base leo".into(),
            })?;
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = &self.$field { role.$field = v.clone(); } )* };
        }
        set!(
            id,
            display_name,
            gender,
            age_years,
            african,
            asian,
            caucasian,
            muscle,
            weight,
            height,
            proportions,
            skin_tone,
            hair_color,
            eye_color,
            lip_color,
            uniform_color,
            trousers_color,
            hair_volume_mm,
            hair_length_mm,
            hair_bun_mm,
            rest_smile,
            rest_upper_lids,
            voice,
            lang
        );
        for (name, weight) in &self.details {
            if *weight > 0.0 {
                role.details.insert(name.clone(), *weight);
            } else {
                role.details.remove(name);
            }
        }
        role.validate()?;
        Ok(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_print() {
        assert_eq!("#c58c6b".parse::<Rgb8>(), Ok(Rgb8([0xc5, 0x8c, 0x6b])));
        assert_eq!(
            "C58C6B".parse::<Rgb8>().map(|c| c.to_string()),
            Ok("#c58c6b".into())
        );
        assert!("#c58c6".parse::<Rgb8>().is_err());
        assert!("#zzzzzz".parse::<Rgb8>().is_err());
    }

    #[test]
    fn default_roles_are_valid_and_distinct() {
        let roles = default_roles();
        assert_eq!(roles.len(), 2);
        for role in &roles {
            role.validate().expect("default role is valid");
        }
        assert!(roles[0].gender < 0.5 && roles[1].gender > 0.5);
    }

    #[test]
    fn overrides_change_only_what_is_given() {
        let overrides = RoleOverrides {
            base: Some("leo".into()),
            id: Some("sam".into()),
            age_years: Some(45.0),
            ..Default::default()
        };
        let role = overrides.apply().expect("valid");
        assert_eq!(role.id, "sam");
        assert_eq!(role.age_years, 45.0);
        assert_eq!(role.gender, default_roles()[1].gender);
        let bad = RoleOverrides {
            gender: Some(2.0),
            ..Default::default()
        };
        assert!(bad.apply().is_err());
        // A grin or half-shut eyes at rest, or a bun too small to tie, is refused.
        for bad in [
            RoleOverrides {
                rest_smile: Some(0.8),
                ..Default::default()
            },
            RoleOverrides {
                rest_upper_lids: Some(0.5),
                ..Default::default()
            },
            RoleOverrides {
                hair_length_mm: Some(0.0),
                hair_bun_mm: Some(20.0),
                ..Default::default()
            },
        ] {
            assert!(bad.apply().is_err());
        }
    }
}
