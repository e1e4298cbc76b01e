//! Detail modifiers: MakeHuman's local shape targets (eye size and opening,
//! mouth width, nose, cheeks, chin, ears, …) applied on top of the macro
//! body. The macro modifiers make a plausible average person; faces people
//! find pleasant on a screen need a few of these, and customers tune their
//! own roles with the same knob.
//!
//! A detail is named by its target file under `targets/`, without
//! `.target.gz`: `eyes/l-eye-scale-incr`. A name without the `l-`/`r-` side
//! prefix (`eyes/eye-scale-incr`) applies both sides at the same weight, so
//! faces stay symmetric unless asked otherwise.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use super::BuildError;
use super::wheel::{MPFB, Wheel};

/// At most this many details per role: enough for any face, few enough that
/// a role file stays readable.
pub const MAX_DETAILS: usize = 64;

/// Target folders the body knobs already drive, or that are not shapes.
const RESERVED_GROUPS: [&str; 3] = ["macrodetails", "expression", "_images"];

/// Checks one detail's name and weight without the wheel (the wheel is
/// checked when the role is built). Returns the problem in words.
pub fn check_detail(name: &str, weight: f32) -> Result<(), String> {
    let Some((group, target)) = name.split_once('/') else {
        return Err(format!(
            "detail `{name}` needs a folder and a target, e.g. eyes/eye-scale-incr"
        ));
    };
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    };
    if !valid(group) || !valid(target) {
        return Err(format!(
            "detail `{name}`: use lower-case letters, digits, `-` and `_`, one `/`"
        ));
    }
    if RESERVED_GROUPS.contains(&group) {
        return Err(format!(
            "detail `{name}`: `{group}` targets are driven by the body knobs \
             (gender, age, muscle, weight, height, proportions, ethnicity)"
        ));
    }
    if !(weight.is_finite() && (0.0..=1.0).contains(&weight)) {
        return Err(format!(
            "detail `{name}` has weight {weight}; use 0..=1 (pick the -incr or -decr target for the direction)"
        ));
    }
    Ok(())
}

/// Parses `NAME=WEIGHT` as given on the command line.
pub fn parse_detail(arg: &str) -> Result<(String, f32), String> {
    let (name, weight) = arg.split_once('=').ok_or_else(|| {
        format!("`{arg}`: write a detail as NAME=WEIGHT, e.g. eyes/eye-scale-incr=0.3")
    })?;
    let weight: f32 = weight
        .trim()
        .parse()
        .map_err(|_| format!("`{arg}`: the weight `{weight}` is not a number"))?;
    let name = name.trim().to_string();
    check_detail(&name, weight)?;
    Ok((name, weight))
}

/// The wheel entries (paths under `targets/`, with `.target.gz`) and weights
/// for a role's details, in name order. A name that matches no target is an
/// error listing the folder's targets, so a typo never builds silently.
pub fn detail_targets<R: Read + Seek>(
    wheel: &Wheel<R>,
    role_id: &str,
    details: &BTreeMap<String, f32>,
) -> Result<Vec<(String, f32)>, BuildError> {
    let mut out = Vec::new();
    for (name, &weight) in details {
        if weight <= 0.0 {
            continue;
        }
        let entry = |n: &str| format!("{MPFB}/targets/{n}.target.gz");
        if wheel.contains(&entry(name)) {
            out.push((format!("{name}.target.gz"), weight));
            continue;
        }
        let (group, target) = name.split_once('/').unwrap_or(("", name));
        let sides = [format!("{group}/l-{target}"), format!("{group}/r-{target}")];
        if sides.iter().all(|s| wheel.contains(&entry(s))) {
            out.extend(sides.map(|s| (format!("{s}.target.gz"), weight)));
            continue;
        }
        return Err(unknown_detail(wheel, role_id, name, group));
    }
    Ok(out)
}

fn unknown_detail<R: Read + Seek>(
    wheel: &Wheel<R>,
    role_id: &str,
    name: &str,
    group: &str,
) -> BuildError {
    let mut choices: Vec<String> = wheel
        .names_in(&format!("{MPFB}/targets/{group}"))
        .iter()
        .filter_map(|n| n.strip_suffix(".target.gz"))
        // Both sides of a pair are offered once, as the side-less name.
        .map(|n| n.strip_prefix("r-").unwrap_or(n))
        .map(|n| n.strip_prefix("l-").unwrap_or(n).to_string())
        .collect();
    choices.sort();
    choices.dedup();
    let message = if choices.is_empty() {
        format!(
            "detail `{name}`: there is no target folder `{group}`; folders include eyes, mouth, nose, cheek, chin, ears, head, neck"
        )
    } else {
        format!(
            "detail `{name}`: no such target; `{group}` has {}",
            choices.join(", ")
        )
    };
    BuildError::InvalidRole {
        id: role_id.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};
    use std::path::Path;

    use super::*;

    fn wheel_with(names: &[&str]) -> Wheel<Cursor<Vec<u8>>> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for name in names {
            zip.start_file(
                format!("{MPFB}/targets/{name}.target.gz"),
                zip::write::SimpleFileOptions::default(),
            )
            .expect("zip entry");
            zip.write_all(b"").expect("zip write");
        }
        let bytes = zip.finish().expect("zip").into_inner();
        Wheel::from_reader(Cursor::new(bytes), Path::new("test.whl")).expect("wheel")
    }

    #[test]
    fn side_less_names_apply_both_sides() {
        let wheel = wheel_with(&[
            "eyes/l-eye-scale-incr",
            "eyes/r-eye-scale-incr",
            "mouth/mouth-scale-horiz-decr",
        ]);
        let details = BTreeMap::from([
            ("eyes/eye-scale-incr".to_string(), 0.3),
            ("mouth/mouth-scale-horiz-decr".to_string(), 0.2),
            ("eyes/l-eye-scale-incr".to_string(), 0.0),
        ]);
        let targets = detail_targets(&wheel, "sam", &details).expect("resolves");
        assert_eq!(
            targets,
            vec![
                ("eyes/l-eye-scale-incr.target.gz".to_string(), 0.3),
                ("eyes/r-eye-scale-incr.target.gz".to_string(), 0.3),
                ("mouth/mouth-scale-horiz-decr.target.gz".to_string(), 0.2),
            ]
        );
    }

    #[test]
    fn unknown_names_list_the_folder() {
        let wheel = wheel_with(&["eyes/l-eye-scale-incr", "eyes/r-eye-scale-incr"]);
        let details = BTreeMap::from([("eyes/eye-scale-huge".to_string(), 0.3)]);
        let message = detail_targets(&wheel, "sam", &details)
            .expect_err("unknown")
            .to_string();
        assert!(message.contains("eyes/eye-scale-huge"), "{message}");
        assert!(message.contains("eye-scale-incr"), "{message}");
        assert_eq!(message.matches("eye-scale-incr").count(), 1, "{message}");
        let details = BTreeMap::from([("wings/big".to_string(), 1.0)]);
        let message = detail_targets(&wheel, "sam", &details)
            .expect_err("unknown")
            .to_string();
        assert!(message.contains("no target folder `wings`"), "{message}");
    }

    #[test]
    fn names_and_weights_are_checked() {
        assert_eq!(
            parse_detail("eyes/eye-scale-incr=0.25"),
            Ok(("eyes/eye-scale-incr".to_string(), 0.25))
        );
        for bad in [
            "eyes/eye-scale-incr",
            "eye-scale-incr=0.2",
            "eyes/eye-scale-incr=lots",
            "eyes/eye-scale-incr=1.5",
            "eyes/eye-scale-incr=-0.5",
            "eyes/Eye=0.2",
            "macrodetails/african-female-young=1",
        ] {
            assert!(parse_detail(bad).is_err(), "{bad} should be refused");
        }
    }
}
