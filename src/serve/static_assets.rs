//! The web page, widget and their assets, compiled into the binary.
//!
//! Placeholder until the page lands (owned by the web part of issue 6):
//! `asset(path)` gets the URL path without its leading slash — `index.html`
//! for `/`, `widget.js`, `assets/<file>` — and returns its MIME type and
//! bytes, or `None` (the server answers 404).

/// The embedded file at `path`, if any.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    let _ = path;
    None
}
