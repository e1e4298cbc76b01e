//! H.264 Annex B byte streams: NAL unit splitting, parameter-set extraction
//! and the conversion to the length-prefixed form MP4 (`avc1`) stores.
//!
//! openh264 emits Annex B (start-code delimited) access units. MP4 wants
//! each NAL unit prefixed by its 4-byte big-endian length and the SPS/PPS
//! moved into an `AVCDecoderConfigurationRecord` (`avcC`, ISO/IEC 14496-15
//! 5.2.4.1). Both conversions live here so they can be tested without an
//! encoder.

/// NAL unit types (ITU-T H.264 Table 7-1) that this crate acts on.
pub mod nal_type {
    /// Coded slice of a non-IDR picture.
    pub const SLICE: u8 = 1;
    /// Coded slice of an IDR picture: a random-access point.
    pub const IDR: u8 = 5;
    /// Supplemental enhancement information.
    pub const SEI: u8 = 6;
    /// Sequence parameter set.
    pub const SPS: u8 = 7;
    /// Picture parameter set.
    pub const PPS: u8 = 8;
    /// Access unit delimiter.
    pub const AUD: u8 = 9;
}

/// The `nal_unit_type` of a NAL unit (its first byte's low 5 bits).
pub fn nal_unit_type(nal: &[u8]) -> Option<u8> {
    nal.first().map(|header| header & 0x1f)
}

/// Splits an Annex B byte stream into NAL units (without start codes).
///
/// Accepts 3- and 4-byte start codes; bytes before the first start code and
/// the trailing zero bytes that precede a 4-byte start code are dropped, as
/// ITU-T H.264 B.2 allows. Empty NAL units are skipped.
pub fn split_annexb(stream: &[u8]) -> Vec<&[u8]> {
    let mut nals = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i + 3 <= stream.len() {
        if stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 {
            if let Some(begin) = start {
                push_trimmed(&mut nals, &stream[begin..i]);
            }
            i += 3;
            start = Some(i);
        } else {
            i += 1;
        }
    }
    if let Some(begin) = start {
        push_trimmed(&mut nals, &stream[begin..]);
    }
    nals
}

fn push_trimmed<'a>(nals: &mut Vec<&'a [u8]>, nal: &'a [u8]) {
    // A NAL unit ends with rbsp_trailing_bits (a 1 bit), so trailing zero
    // bytes belong to the next start code (zero_byte / trailing_zero_8bits).
    let end = nal.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    if end > 0 {
        nals.push(&nal[..end]);
    }
}

/// The first SPS and the first PPS of an access unit, as NAL units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterSets {
    pub sps: Vec<u8>,
    pub pps: Vec<u8>,
}

impl ParameterSets {
    /// Finds the first SPS and PPS in an Annex B access unit; `None` when
    /// either is missing (openh264 puts both before every IDR).
    pub fn from_annexb(access_unit: &[u8]) -> Option<ParameterSets> {
        let nals = split_annexb(access_unit);
        let find = |wanted: u8| {
            nals.iter()
                .find(|nal| nal_unit_type(nal) == Some(wanted))
                .map(|nal| nal.to_vec())
        };
        let sps = find(nal_type::SPS)?;
        let pps = find(nal_type::PPS)?;
        // profile_idc, constraint flags and level_idc follow the header byte.
        if sps.len() < 4 {
            return None;
        }
        Some(ParameterSets { sps, pps })
    }

    /// `profile_idc` from the SPS (66 Baseline, 77 Main, 100 High).
    pub fn profile_idc(&self) -> u8 {
        self.sps[1]
    }

    /// `level_idc` from the SPS (e.g. 31 for level 3.1).
    pub fn level_idc(&self) -> u8 {
        self.sps[3]
    }

    /// The `AVCDecoderConfigurationRecord` (`avcC` box payload) with one SPS,
    /// one PPS and 4-byte NAL lengths.
    pub fn to_avcc(&self) -> Vec<u8> {
        let mut avcc = Vec::with_capacity(11 + self.sps.len() + self.pps.len());
        avcc.push(1); // configurationVersion
        avcc.push(self.sps[1]); // AVCProfileIndication
        avcc.push(self.sps[2]); // profile_compatibility (constraint flags)
        avcc.push(self.sps[3]); // AVCLevelIndication
        avcc.push(0xfc | 3); // reserved 6 bits + lengthSizeMinusOne = 3
        avcc.push(0xe0 | 1); // reserved 3 bits + numOfSequenceParameterSets
        push_u16_len(&mut avcc, self.sps.len());
        avcc.extend_from_slice(&self.sps);
        avcc.push(1); // numOfPictureParameterSets
        push_u16_len(&mut avcc, self.pps.len());
        avcc.extend_from_slice(&self.pps);
        avcc
    }
}

fn push_u16_len(out: &mut Vec<u8>, len: usize) {
    // SPS/PPS are tens of bytes; openh264 cannot produce one near 64 KiB.
    let len = u16::try_from(len).expect("parameter set shorter than 64 KiB");
    out.extend_from_slice(&len.to_be_bytes());
}

/// Converts an Annex B access unit to 4-byte length-prefixed NAL units, the
/// sample format of an MP4 `avc1` track.
///
/// Parameter sets equal to `in_config` are dropped: they are already in the
/// `avcC` record, and ISO/IEC 14496-15 wants `avc1` samples without them.
/// Different (changed) parameter sets are kept so the stream stays decodable.
/// Access unit delimiters are dropped too; MP4 samples delimit access units.
pub fn to_length_prefixed(access_unit: &[u8], in_config: &ParameterSets) -> Vec<u8> {
    let mut out = Vec::with_capacity(access_unit.len() + 16);
    for nal in split_annexb(access_unit) {
        let redundant = match nal_unit_type(nal) {
            Some(nal_type::SPS) => nal == in_config.sps.as_slice(),
            Some(nal_type::PPS) => nal == in_config.pps.as_slice(),
            Some(nal_type::AUD) => true,
            _ => false,
        };
        if redundant {
            continue;
        }
        // A NAL unit of an access unit is far below 4 GiB.
        let len = u32::try_from(nal.len()).expect("NAL unit shorter than 4 GiB");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(nal);
    }
    out
}

/// Whether the access unit contains an IDR slice (a random-access point).
pub fn contains_idr(access_unit: &[u8]) -> bool {
    split_annexb(access_unit)
        .iter()
        .any(|nal| nal_unit_type(nal) == Some(nal_type::IDR))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPS: [u8; 8] = [0x67, 0x42, 0xc0, 0x1f, 0x8c, 0x8d, 0x40, 0x50];
    const PPS: [u8; 4] = [0x68, 0xce, 0x3c, 0x80];
    const IDR: [u8; 5] = [0x65, 0x88, 0x84, 0x00, 0x21];
    const SLICE: [u8; 3] = [0x41, 0x9a, 0x02];

    fn annexb(nals: &[&[u8]], four_byte: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for nal in nals {
            if four_byte {
                out.push(0);
            }
            out.extend_from_slice(&[0, 0, 1]);
            out.extend_from_slice(nal);
        }
        out
    }

    #[test]
    fn splits_three_and_four_byte_start_codes() {
        for four_byte in [false, true] {
            let stream = annexb(&[&SPS, &PPS, &IDR], four_byte);
            assert_eq!(split_annexb(&stream), vec![&SPS[..], &PPS[..], &IDR[..]]);
        }
        // Mixed: 4-byte first, 3-byte afterwards, as openh264 and x264 write.
        let mut mixed = vec![0, 0, 0, 1];
        mixed.extend_from_slice(&SPS);
        mixed.extend_from_slice(&[0, 0, 1]);
        mixed.extend_from_slice(&SLICE);
        assert_eq!(split_annexb(&mixed), vec![&SPS[..], &SLICE[..]]);
    }

    #[test]
    fn keeps_zero_bytes_inside_a_nal_and_drops_trailing_ones() {
        // 0x00 0x00 0x03 is emulation prevention, not a start code; the idr
        // payload contains a lone 0x00 that must survive.
        let nal = [0x65, 0x00, 0x00, 0x03, 0x01, 0x00, 0x21];
        let mut stream = annexb(&[&nal], true);
        stream.extend_from_slice(&[0, 0]); // trailing_zero_8bits
        assert_eq!(split_annexb(&stream), vec![&nal[..]]);
    }

    #[test]
    fn ignores_garbage_before_the_first_start_code_and_empty_input() {
        let mut stream = vec![0xff, 0x12];
        stream.extend(annexb(&[&SLICE], false));
        assert_eq!(split_annexb(&stream), vec![&SLICE[..]]);
        assert!(split_annexb(&[]).is_empty());
        assert!(split_annexb(&[0, 0, 1]).is_empty());
    }

    #[test]
    fn extracts_parameter_sets_and_builds_avcc() {
        let stream = annexb(&[&SPS, &PPS, &IDR], true);
        let sets = ParameterSets::from_annexb(&stream).expect("SPS and PPS present");
        assert_eq!(sets.sps, SPS);
        assert_eq!(sets.pps, PPS);
        assert_eq!(sets.profile_idc(), 66);
        assert_eq!(sets.level_idc(), 31);
        let mut expected = vec![1, 0x42, 0xc0, 0x1f, 0xff, 0xe1, 0, 8];
        expected.extend_from_slice(&SPS);
        expected.extend_from_slice(&[1, 0, 4]);
        expected.extend_from_slice(&PPS);
        assert_eq!(sets.to_avcc(), expected);
        assert_eq!(ParameterSets::from_annexb(&annexb(&[&SLICE], true)), None);
        assert_eq!(
            ParameterSets::from_annexb(&annexb(&[&SPS, &IDR], true)),
            None
        );
    }

    #[test]
    fn length_prefixing_drops_parameter_sets_already_in_avcc() {
        let sets = ParameterSets {
            sps: SPS.to_vec(),
            pps: PPS.to_vec(),
        };
        let stream = annexb(&[&[0x09, 0xf0], &SPS, &PPS, &IDR], true);
        let mut expected = vec![0, 0, 0, 5];
        expected.extend_from_slice(&IDR);
        assert_eq!(to_length_prefixed(&stream, &sets), expected);

        // A changed PPS stays in the sample.
        let new_pps = [0x68, 0xce, 0x3c, 0x81];
        let stream = annexb(&[&new_pps, &SLICE], false);
        let mut expected = vec![0, 0, 0, 4];
        expected.extend_from_slice(&new_pps);
        expected.extend_from_slice(&[0, 0, 0, 3]);
        expected.extend_from_slice(&SLICE);
        assert_eq!(to_length_prefixed(&stream, &sets), expected);
    }

    #[test]
    fn detects_idr_access_units() {
        assert!(contains_idr(&annexb(&[&SPS, &PPS, &IDR], true)));
        assert!(!contains_idr(&annexb(&[&SLICE], true)));
    }
}
