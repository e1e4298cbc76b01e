//! Failures are clear and leave the file system as it was: odd sizes are
//! refused, an unwritable path names itself last, and a failed or abandoned
//! render neither leaves a partial file nor destroys the file at the path.

use std::fs;
use std::path::Path;

use avatarcast::clock::FrameRate;
use avatarcast::encode::AudioCodec;
use avatarcast::sink::{Mp4Settings, Mp4Writer, SinkError};

fn settings(width: u32, height: u32) -> Mp4Settings {
    Mp4Settings {
        width,
        height,
        fps: FrameRate::new(25, 1),
        video_bitrate_bps: 300_000,
        audio_codec: AudioCodec::Aac,
        audio_bitrate_bps: 64_000,
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn odd_sizes_are_refused_before_any_file_exists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("odd.mp4");
    for (width, height) in [(321, 240), (320, 241), (0, 240)] {
        let err = Mp4Writer::create(&path, settings(width, height))
            .err()
            .expect("odd size fails");
        let message = err.to_string();
        assert!(
            message.contains("even") && message.contains(&format!("{width}x{height}")),
            "{message}"
        );
    }
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn unwritable_paths_fail_with_the_path_last() {
    let dir = tempfile::tempdir().expect("temp dir");
    let not_a_dir = dir.path().join("file.txt");
    fs::write(&not_a_dir, b"x").expect("write");
    let a_dir = dir.path().join("renders");
    fs::create_dir(&a_dir).expect("mkdir");
    for path in [
        dir.path().join("missing").join("out.mp4"),
        not_a_dir.join("out.mp4"),
        a_dir.clone(),
    ] {
        let err = Mp4Writer::create(&path, settings(64, 48))
            .err()
            .expect("unwritable path fails");
        assert!(matches!(err, SinkError::Create { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.ends_with(&format!("{path:?}")),
            "path last: {message}"
        );
        assert!(
            message.contains("writable"),
            "says what to check: {message}"
        );
        assert!(!path.exists() || path == a_dir);
    }
    assert_eq!(entries(dir.path()), vec!["file.txt", "renders"]);
    assert!(entries(&a_dir).is_empty());
}

#[test]
fn a_failed_render_keeps_the_existing_file_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.mp4");
    fs::write(&path, b"the previous render").expect("write");

    let frame = vec![90u8; 64 * 48 * 4];
    let mut mp4 = Mp4Writer::create(&path, settings(64, 48)).expect("create");
    mp4.write_audio(&[0.1; 4800]).expect("audio");
    mp4.write_video_frame(0, &frame).expect("first frame");
    let err = mp4
        .write_video_frame(1, &frame[..100])
        .expect_err("short frame fails");
    assert!(err.to_string().contains("needs 12288"), "{err}");
    let err = mp4
        .write_video_frame(0, &frame)
        .expect_err("frame 0 again fails");
    assert!(
        matches!(
            err,
            SinkError::FrameOrder {
                frame_index: 0,
                previous: 0
            }
        ),
        "{err:?}"
    );
    // The partial file exists while the writer lives, hidden beside the target.
    assert_eq!(entries(dir.path()).len(), 2);
    drop(mp4);
    assert_eq!(fs::read(&path).expect("read"), b"the previous render");
    assert_eq!(entries(dir.path()), vec!["out.mp4"]);

    // Finishing without frames fails the same clean way.
    let mp4 = Mp4Writer::create(&path, settings(64, 48)).expect("create");
    assert!(matches!(mp4.finish(), Err(SinkError::NoVideo { .. })));
    assert_eq!(fs::read(&path).expect("read"), b"the previous render");
    assert_eq!(entries(dir.path()), vec!["out.mp4"]);

    // A successful render replaces it.
    let mut mp4 = Mp4Writer::create(&path, settings(64, 48)).expect("create");
    mp4.write_audio(&[0.0; 1920]).expect("audio");
    mp4.write_video_frame(0, &frame).expect("frame");
    let summary = mp4.finish().expect("finish");
    assert_eq!(summary.path, path);
    let bytes = fs::read(&path).expect("read");
    assert_eq!(&bytes[4..8], b"ftyp");
    assert_eq!(bytes.len() as u64, summary.file_bytes);
    assert_eq!(entries(dir.path()), vec!["out.mp4"]);
}

#[test]
fn odd_but_valid_paths_write_normally() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("temp dir");
    // A directory that looks like a URL scheme, and a relative path.
    let scheme_dir = dir.path().join("rtmp:live");
    fs::create_dir(&scheme_dir).expect("mkdir");
    let frame = vec![90u8; 64 * 48 * 4];
    for path in [scheme_dir.join("out #1.mp4"), dir.path().join("ü.mp4")] {
        let mut mp4 = Mp4Writer::create(&path, settings(64, 48)).expect("create");
        mp4.write_video_frame(0, &frame).expect("frame");
        mp4.finish().expect("finish");
        assert_eq!(&fs::read(&path).expect("read")[4..8], b"ftyp");
    }
    // A file name that is not UTF-8 works (the temporary name is UTF-8)...
    let latin1_name = dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9.mp4"));
    let mut mp4 = Mp4Writer::create(&latin1_name, settings(64, 48)).expect("create");
    mp4.write_video_frame(0, &frame).expect("frame");
    mp4.finish().expect("finish");
    assert!(latin1_name.exists());
    // ...but libavformat cannot open a file in a non-UTF-8 directory.
    let latin1_dir = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"r\xe9pertoire"));
    fs::create_dir(&latin1_dir).expect("mkdir");
    let path = latin1_dir.join("out.mp4");
    let err = Mp4Writer::create(&path, settings(64, 48))
        .err()
        .expect("non-UTF-8 directory fails");
    assert!(err.to_string().contains("UTF-8"), "{err}");
    assert!(entries(&latin1_dir).is_empty());
}
