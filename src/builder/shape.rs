//! Body shape: MakeHuman's macro modifiers (gender, age, ethnicity, muscle,
//! weight, height, proportions) turned into weighted `.target.gz` files.
//!
//! As in MakeHuman 1.1 (`human.py`, `_setGenderVals` .. `_setBodyProportionVals`),
//! each variable splits into weights of its named end points, and a combined
//! target such as `universal-female-young-averagemuscle-averageweight` gets the
//! product of its parts' weights.

use super::RoleSpec;

/// MakeHuman's age slider: 0 = 1 year, 0.1875 = 11, 0.5 = 25, 1 = 90.
pub fn age_slider(age_years: f32) -> f32 {
    if age_years <= 25.0 {
        ((age_years - 1.0) / (2.0 * 24.0)).clamp(0.0, 0.5)
    } else {
        (0.5 + (age_years - 25.0) / (2.0 * 65.0)).clamp(0.5, 1.0)
    }
}

fn gender_parts(gender: f32) -> Vec<(&'static str, f32)> {
    vec![("female", 1.0 - gender), ("male", gender)]
}

fn age_parts(age: f32) -> Vec<(&'static str, f32)> {
    if age < 0.5 {
        let young = ((age - 0.1875) * 3.2).max(0.0);
        let baby = (1.0 - age * 5.333).max(0.0);
        let child = ((5.333 * age).min(1.0) - young).max(0.0);
        vec![("baby", baby), ("child", child), ("young", young)]
    } else {
        let old = (age * 2.0 - 1.0).max(0.0);
        vec![("young", 1.0 - old), ("old", old)]
    }
}

/// min/average/max split used by muscle and weight.
fn three_way(
    value: f32,
    min: &'static str,
    avg: &'static str,
    max: &'static str,
) -> Vec<(&'static str, f32)> {
    if value < 0.5 {
        let low = 1.0 - 2.0 * value;
        vec![(min, low), (avg, 1.0 - low)]
    } else {
        let high = 2.0 * value - 1.0;
        vec![(avg, 1.0 - high), (max, high)]
    }
}

/// One-sided split: only the ends have targets; the middle is the base shape.
fn two_sided(value: f32, low: &'static str, high: &'static str) -> Vec<(&'static str, f32)> {
    vec![
        (low, (1.0 - 2.0 * value).max(0.0)),
        (high, (2.0 * value - 1.0).max(0.0)),
    ]
}

/// Every macro target the role uses, as (path inside `targets/`, weight),
/// weights above a threshold only, in a fixed order.
pub fn macro_targets(role: &RoleSpec) -> Vec<(String, f32)> {
    let age = age_slider(role.age_years);
    let race_sum = role.african + role.asian + role.caucasian;
    let races = [
        ("african", role.african / race_sum),
        ("asian", role.asian / race_sum),
        ("caucasian", role.caucasian / race_sum),
    ];
    let genders = gender_parts(role.gender);
    let ages = age_parts(age);
    let muscles = three_way(role.muscle, "minmuscle", "averagemuscle", "maxmuscle");
    let weights = three_way(role.weight, "minweight", "averageweight", "maxweight");
    let heights = two_sided(role.height, "minheight", "maxheight");
    let proportions = two_sided(role.proportions, "uncommonproportions", "idealproportions");

    let mut out = Vec::new();
    let mut push = |path: String, weight: f32| {
        if weight > 1e-4 {
            out.push((path, weight));
        }
    };
    for &(race, wr) in &races {
        for &(g, wg) in &genders {
            for &(a, wa) in &ages {
                push(
                    format!("macrodetails/{race}-{g}-{a}.target.gz"),
                    wr * wg * wa,
                );
            }
        }
    }
    for &(g, wg) in &genders {
        for &(a, wa) in &ages {
            for &(m, wm) in &muscles {
                for &(w, ww) in &weights {
                    let base = wg * wa * wm * ww;
                    push(
                        format!("macrodetails/universal-{g}-{a}-{m}-{w}.target.gz"),
                        base,
                    );
                    for &(h, wh) in &heights {
                        push(
                            format!("macrodetails/height/{g}-{a}-{m}-{w}-{h}.target.gz"),
                            base * wh,
                        );
                    }
                    // MakeHuman ships no proportion targets for babies.
                    if a != "baby" {
                        for &(p, wp) in &proportions {
                            push(
                                format!("macrodetails/proportions/{g}-{a}-{m}-{w}-{p}.target.gz"),
                                base * wp,
                            );
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::default_roles;

    #[test]
    fn age_slider_matches_makehuman() {
        assert_eq!(age_slider(25.0), 0.5);
        assert!((age_slider(11.0) - 0.2083).abs() < 1e-3);
        assert_eq!(age_slider(90.0), 1.0);
    }

    #[test]
    fn weights_of_each_family_sum_to_one() {
        let mut role = default_roles()[0].clone();
        role.gender = 0.3;
        role.weight = 0.7;
        role.age_years = 40.0;
        let targets = macro_targets(&role);
        let sum = |prefix: &str| -> f32 {
            targets
                .iter()
                .filter(|(p, _)| p.starts_with(prefix))
                .map(|(_, w)| w)
                .sum()
        };
        let race: f32 = targets
            .iter()
            .filter(|(p, _)| {
                ["african", "asian", "caucasian"]
                    .iter()
                    .any(|r| p.starts_with(&format!("macrodetails/{r}-")))
            })
            .map(|(_, w)| w)
            .sum();
        assert!((sum("macrodetails/universal") - 1.0).abs() < 1e-4);
        assert!((race - 1.0).abs() < 1e-4, "race weights sum {race}");
        assert!(
            targets
                .iter()
                .any(|(p, _)| p == "macrodetails/asian-female-young.target.gz")
        );
    }
}
