//! `AVATARCAST_ADAPTER` picks the adapter. One test per process: it changes
//! the environment, which other tests in the same process would see.

mod golden;

use avatarcast::render::{RenderError, Renderer};
use golden::scenes::settings;

#[test]
fn adapter_env_selects_or_reports_what_exists() {
    // SAFETY: this binary runs only this test, so no other thread reads the
    // environment while it changes.
    unsafe { std::env::set_var("AVATARCAST_ADAPTER", "no-such-adapter-xyz") };
    let err = Renderer::new(settings(16, 16, 1, [0, 0, 0]))
        .err()
        .expect("an adapter name that matches nothing is an error");
    assert!(matches!(err, RenderError::NoAdapter { .. }), "{err}");
    assert!(err.to_string().contains("AVATARCAST_ADAPTER"), "{err}");

    unsafe { std::env::set_var("AVATARCAST_ADAPTER", "cpu") };
    match Renderer::new(settings(16, 16, 4, [0, 0, 0])) {
        Ok(renderer) => {
            let description = renderer.adapter_description();
            println!("cpu adapter: {description}");
            assert!(description.contains("Cpu"), "{description}");
        }
        Err(e @ RenderError::NoAdapter { .. }) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipping: no CPU adapter (lavapipe) here: {e}");
        }
        Err(e) => panic!("AVATARCAST_ADAPTER=cpu: {e}"),
    }
    unsafe { std::env::remove_var("AVATARCAST_ADAPTER") };
}
