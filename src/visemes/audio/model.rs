//! The viseme model: Gaussian prototypes over the 12 MFCCs, each labelled
//! with an Oculus viseme, classified by Mahalanobis distance. The file
//! format is headaudio 0.1.0's `model-en-mixed.bin` (MIT, © 2025 Mika
//! Suominen; fetched by `scripts/fetch-lipsync.sh`): a sequence of 368-byte
//! records, each
//!
//! | bytes | content |
//! |---|---|
//! | 0..4 | the phoneme, two UTF-16 code units packed big-endian (for reports only) |
//! | 5 | group id (unused here) |
//! | 7 | viseme id in headaudio's order: aa E I O U PP SS TH DD FF kk nn RR CH sil |
//! | 8..56 | mean, 12 little-endian f32 |
//! | 56..368 | inverse covariance, lower triangle row by row (78 f32) |

use std::path::{Path, PathBuf};

use crate::visemes::Viseme;

use super::AudioVisemeError;
use super::mfcc::COEFFS;

const TRIANGLE: usize = COEFFS * (COEFFS + 1) / 2;
/// Bytes per prototype record.
pub const RECORD_BYTES: usize = 8 + 4 * (COEFFS + TRIANGLE);
/// The model file's name inside `models/headaudio/`.
pub const MODEL_FILE: &str = "model-en-mixed.bin";

/// headaudio's viseme ids, in its order.
const VISEME_ORDER: [Viseme; 15] = [
    Viseme::Aa,
    Viseme::E,
    Viseme::I,
    Viseme::O,
    Viseme::U,
    Viseme::PP,
    Viseme::SS,
    Viseme::TH,
    Viseme::DD,
    Viseme::FF,
    Viseme::Kk,
    Viseme::Nn,
    Viseme::RR,
    Viseme::CH,
    Viseme::Sil,
];

/// One Gaussian prototype.
#[derive(Debug, Clone, PartialEq)]
pub struct Prototype {
    /// The phoneme it was trained on (IPA, e.g. `ɑ`), for reports.
    pub phoneme: String,
    pub viseme: Viseme,
    pub mean: [f32; COEFFS],
    /// Inverse covariance as a full symmetric matrix (expanded on load so
    /// the distance loop is a plain quadratic form).
    pub precision: [[f32; COEFFS]; COEFFS],
}

impl Prototype {
    /// Squared Mahalanobis distance of `x` from this prototype.
    pub fn distance(&self, x: &[f32; COEFFS]) -> f32 {
        let mut diff = [0.0f32; COEFFS];
        for ((d, a), m) in diff.iter_mut().zip(x).zip(&self.mean) {
            *d = a - m;
        }
        let mut sum = 0.0f32;
        for (row, di) in self.precision.iter().zip(&diff) {
            let dot: f32 = row.iter().zip(&diff).map(|(p, dj)| p * dj).sum();
            sum += di * dot;
        }
        sum
    }
}

/// A loaded viseme model. Cheap to share (`Arc`) between sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct VisemeModel {
    pub prototypes: Vec<Prototype>,
}

impl VisemeModel {
    /// Where the model is looked for: `$AVATARCAST_LIPSYNC_MODEL`, else
    /// `models/headaudio/model-en-mixed.bin` in the current folder, else the
    /// same path in the source tree this binary was built from.
    pub fn default_path() -> PathBuf {
        if let Some(p) = std::env::var_os("AVATARCAST_LIPSYNC_MODEL") {
            return PathBuf::from(p);
        }
        let local = Path::new("models/headaudio").join(MODEL_FILE);
        if local.is_file() {
            return local;
        }
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models/headaudio")
            .join(MODEL_FILE)
    }

    /// Loads the model from [`VisemeModel::default_path`].
    pub fn load_default() -> Result<VisemeModel, AudioVisemeError> {
        VisemeModel::load(&VisemeModel::default_path())
    }

    pub fn load(path: &Path) -> Result<VisemeModel, AudioVisemeError> {
        let bytes = std::fs::read(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                AudioVisemeError::ModelMissing {
                    path: path.to_path_buf(),
                }
            } else {
                AudioVisemeError::ModelRead {
                    source,
                    path: path.to_path_buf(),
                }
            }
        })?;
        VisemeModel::parse(&bytes).map_err(|reason| AudioVisemeError::ModelInvalid {
            reason,
            path: path.to_path_buf(),
        })
    }

    /// Parses a model file's bytes; the error says what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<VisemeModel, String> {
        if bytes.is_empty() {
            return Err("the file is empty".into());
        }
        if bytes.len() % RECORD_BYTES != 0 {
            return Err(format!(
                "{} bytes is not a whole number of {RECORD_BYTES}-byte prototype records \
                 (truncated or not a headaudio model)",
                bytes.len()
            ));
        }
        let prototypes = bytes
            .chunks_exact(RECORD_BYTES)
            .enumerate()
            .map(|(i, record)| parse_record(record).map_err(|e| format!("record {i}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if !prototypes.iter().any(|p| p.viseme == Viseme::Sil) {
            return Err("no silence prototype (viseme id 14)".into());
        }
        if !prototypes.iter().any(|p| p.viseme != Viseme::Sil) {
            return Err("only silence prototypes".into());
        }
        Ok(VisemeModel { prototypes })
    }

    /// The nearest prototype to `x`, with silence's distance divided by
    /// `silence_bias` (> 1 makes silence win more often).
    pub fn nearest(&self, x: &[f32; COEFFS], silence_bias: f32) -> Viseme {
        let mut best = (f32::INFINITY, Viseme::Sil);
        for p in &self.prototypes {
            let mut d = p.distance(x);
            if p.viseme == Viseme::Sil {
                d /= silence_bias;
            }
            if d < best.0 {
                best = (d, p.viseme);
            }
        }
        best.1
    }
}

fn parse_record(record: &[u8]) -> Result<Prototype, String> {
    let packed = u32::from_be_bytes([record[0], record[1], record[2], record[3]]);
    let phoneme: String = char::decode_utf16([(packed >> 16) as u16, packed as u16])
        .filter_map(Result::ok)
        .filter(|c| *c != '\0')
        .collect();
    let id = record[7];
    let viseme = *VISEME_ORDER
        .get(usize::from(id))
        .ok_or_else(|| format!("viseme id {id} is not one of the 15 (0..=14)"))?;
    let mut floats = [0.0f32; COEFFS + TRIANGLE];
    for (f, b) in floats.iter_mut().zip(record[8..].chunks_exact(4)) {
        *f = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if !f.is_finite() {
            return Err("a mean or covariance value is not a finite number".into());
        }
    }
    let mut mean = [0.0f32; COEFFS];
    mean.copy_from_slice(&floats[..COEFFS]);
    let mut precision = [[0.0f32; COEFFS]; COEFFS];
    let mut k = COEFFS;
    for i in 0..COEFFS {
        for j in 0..=i {
            precision[i][j] = floats[k];
            precision[j][i] = floats[k];
            k += 1;
        }
        if precision[i][i] <= 0.0 {
            return Err(format!(
                "inverse covariance has a non-positive diagonal entry ({i}); not a valid Gaussian"
            ));
        }
    }
    Ok(Prototype {
        phoneme,
        viseme,
        mean,
        precision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with mean `m` (all coefficients) and identity precision.
    fn record(viseme_id: u8, m: f32) -> Vec<u8> {
        let mut r = vec![0u8; RECORD_BYTES];
        r[0..4].copy_from_slice(&(u32::from('ɑ') << 16).to_be_bytes());
        r[7] = viseme_id;
        let mut k = 8;
        for _ in 0..COEFFS {
            r[k..k + 4].copy_from_slice(&m.to_le_bytes());
            k += 4;
        }
        for i in 0..COEFFS {
            for j in 0..=i {
                let v: f32 = if i == j { 1.0 } else { 0.0 };
                r[k..k + 4].copy_from_slice(&v.to_le_bytes());
                k += 4;
            }
        }
        r
    }

    #[test]
    fn parses_records_and_classifies_by_distance() {
        let mut bytes = record(0, 0.5); // aa
        bytes.extend(record(14, 0.0)); // sil
        let model = VisemeModel::parse(&bytes).expect("valid model");
        assert_eq!(model.prototypes.len(), 2);
        assert_eq!(model.prototypes[0].viseme, Viseme::Aa);
        assert_eq!(model.prototypes[0].phoneme, "ɑ");
        assert_eq!(model.nearest(&[0.4; COEFFS], 1.0), Viseme::Aa);
        assert_eq!(model.nearest(&[0.1; COEFFS], 1.0), Viseme::Sil);
        // Equidistant (0.25): the silence bias tips it.
        assert!((model.prototypes[0].distance(&[0.25; COEFFS]) - 12.0 * 0.0625).abs() < 1e-5);
        assert_eq!(model.nearest(&[0.25; COEFFS], 1.2), Viseme::Sil);
    }

    #[test]
    fn truncated_or_garbled_files_are_rejected_with_the_reason() {
        let mut bytes = record(0, 0.5);
        bytes.extend(record(14, 0.0));
        let err = |b: &[u8]| VisemeModel::parse(b).expect_err("must be rejected");
        assert!(err(&[]).contains("empty"));
        assert!(err(&bytes[..bytes.len() - 10]).contains("truncated"));
        let mut bad_id = bytes.clone();
        bad_id[7] = 15;
        assert!(
            err(&bad_id).contains("record 0: viseme id 15"),
            "{}",
            err(&bad_id)
        );
        let mut nan = bytes.clone();
        nan[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(err(&nan).contains("finite"));
        let mut negative = bytes.clone();
        negative[8 + 4 * COEFFS..12 + 4 * COEFFS].copy_from_slice(&(-1.0f32).to_le_bytes());
        assert!(err(&negative).contains("non-positive"));
        assert!(err(&record(0, 0.5)).contains("no silence"));
        // Text is not a model: wrong length, or garbage ids.
        assert!(VisemeModel::parse(&b"RIFF....WAVEfmt ".repeat(23)).is_err());
    }

    #[test]
    fn load_names_the_missing_file_and_the_fix() {
        let path = Path::new("/nonexistent/model-en-mixed.bin");
        let msg = VisemeModel::load(path).expect_err("missing").to_string();
        assert!(msg.contains("scripts/fetch-lipsync.sh"), "{msg}");
        assert!(
            msg.ends_with("\"/nonexistent/model-en-mixed.bin\""),
            "{msg}"
        );
    }
}
