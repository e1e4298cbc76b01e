//! The web page, its assets and the embeddable widget, compiled into the binary
//! so `avatarcast serve` needs no files beside it and fetches nothing from
//! elsewhere. The sources are `assets/web/*`; the protocol they speak is
//! docs/protocol.md.

/// One servable file: its URL path, MIME type and bytes.
struct Asset {
    path: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

macro_rules! web_asset {
    ($path:literal, $file:literal, $mime:expr) => {
        Asset {
            path: $path,
            mime: $mime,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/web/", $file)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of assets/web, by the path the page and the widget use.
const ASSETS: &[Asset] = &[
    web_asset!("/index.html", "index.html", "text/html; charset=utf-8"),
    web_asset!("/widget.js", "widget.js", JS),
    web_asset!("/assets/app.js", "app.js", JS),
    web_asset!("/assets/i18n.js", "i18n.js", JS),
    web_asset!("/assets/subtitles.js", "subtitles.js", JS),
    web_asset!("/assets/whep.js", "whep.js", JS),
    web_asset!("/assets/style.css", "style.css", "text/css; charset=utf-8"),
    web_asset!("/assets/icon.svg", "icon.svg", "image/svg+xml"),
];

/// The `(mime, bytes)` to answer `GET path` with, or `None` (then 404).
/// `path` is the URL path without query or fragment: `/` and `/index.html` are
/// the page, `/widget.js` the widget, `/assets/…` what the page loads. The
/// leading slash is optional (`index.html`, `assets/app.js`), as routers hand
/// out captured paths without it.
///
/// ```
/// use avatarcast::serve::static_assets::asset;
/// let (mime, page) = asset("/").expect("the page is built in");
/// assert!(mime.starts_with("text/html") && !page.is_empty());
/// assert_eq!(asset("assets/app.js"), asset("/assets/app.js"));
/// ```
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = if path.is_empty() { "index.html" } else { path };
    ASSETS
        .iter()
        .find(|asset| asset.path.strip_prefix('/') == Some(path))
        .map(|asset| (asset.mime, asset.bytes))
}

/// The URL paths [`asset`] answers, besides `/` (for routers and tests).
pub fn paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|asset| asset.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &str) -> &'static str {
        let (_, bytes) = asset(path).unwrap_or_else(|| panic!("{path} is not built in"));
        std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{path} is not UTF-8: {e}"))
    }

    #[test]
    fn the_page_is_served_at_the_root_and_by_name() {
        let (mime, root) = asset("/").expect("/");
        assert_eq!(mime, "text/html; charset=utf-8");
        assert_eq!(Some((mime, root)), asset("/index.html"));
        assert!(text("/").contains(r#"<script type="module" src="assets/app.js">"#));
    }

    #[test]
    fn the_leading_slash_is_optional() {
        // http.rs hands over `index.html` for `/` and `assets/<path>` from its
        // `/assets/{*path}` route.
        assert_eq!(asset(""), asset("/"));
        assert_eq!(asset("index.html"), asset("/index.html"));
        assert_eq!(asset("widget.js"), asset("/widget.js"));
        assert_eq!(asset("assets/style.css"), asset("/assets/style.css"));
        assert!(asset("assets/style.css").is_some());
    }

    #[test]
    fn scripts_styles_and_images_carry_their_types() {
        assert_eq!(asset("/widget.js").map(|a| a.0), Some(JS));
        assert_eq!(asset("/assets/app.js").map(|a| a.0), Some(JS));
        assert_eq!(
            asset("/assets/style.css").map(|a| a.0),
            Some("text/css; charset=utf-8")
        );
        assert_eq!(
            asset("/assets/icon.svg").map(|a| a.0),
            Some("image/svg+xml")
        );
    }

    #[test]
    fn nothing_else_is_served() {
        for path in [
            "//",
            "/assets/",
            "/assets",
            "/app.js",
            "/assets/../index.html",
            "/assets/%2e%2e/Cargo.toml",
            "/assets/app.js?v=1",
            "/Cargo.toml",
            "/INDEX.HTML",
        ] {
            assert_eq!(asset(path), None, "{path:?} must be a 404");
        }
    }

    #[test]
    fn every_file_in_assets_web_is_built_in() {
        // A file added to assets/web but not to ASSETS would be a 404 in the
        // browser; one listed but deleted would not compile.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/web");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> = paths()
            .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
            .collect();
        built_in.sort();
        assert_eq!(on_disk, built_in);
    }

    #[test]
    fn what_the_page_loads_is_built_in() {
        // Relative references (`assets/app.js`, `./whep.js`) must resolve to
        // built-in files, so the page also works under a proxy's path prefix.
        let mut references = Vec::new();
        let page = text("/");
        for attr in ["src=\"", "href=\""] {
            for part in page.split(attr).skip(1) {
                let target = part.split('"').next().unwrap_or_default();
                references.push(format!("/{target}"));
            }
        }
        for path in paths().filter(|p| p.ends_with(".js") && p.starts_with("/assets/")) {
            for part in text(path).split("from './").skip(1) {
                let target = part.split('\'').next().unwrap_or_default();
                references.push(format!("/assets/{target}"));
            }
        }
        assert!(references.len() >= 6, "found only {references:?}");
        for reference in &references {
            assert!(
                asset(reference).is_some(),
                "{reference} is referenced but not built in"
            );
        }
    }

    #[test]
    fn nothing_is_fetched_from_elsewhere() {
        // No CDN, no web fonts, no analytics: a kiosk may have no internet, and
        // a visitor's browser talks only to this server. SVG's XML namespace is
        // a name, not a request.
        for path in paths() {
            let body = text(path).replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            for needle in [
                "http://",
                "https://",
                "//cdn",
                "@import",
                "fonts.googleapis",
            ] {
                let hits: Vec<&str> = body
                    .lines()
                    .filter(|line| line.contains(needle))
                    // Comments and docs may show example URLs.
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .collect();
                assert!(hits.is_empty(), "{path} mentions {needle}: {hits:?}");
            }
        }
    }

    #[test]
    fn both_ui_languages_are_present() {
        let strings = text("/assets/i18n.js");
        assert!(strings.contains("en: {") && strings.contains("zh: {"));
        assert!(strings.contains("正在聆听"), "Chinese UI strings");
    }
}
