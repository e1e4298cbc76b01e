//! HTTP: WHEP-style signalling, health, metrics and the web page.
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /whep` (`Content-Type: application/sdp`, body = offer) | `201`, `Location: /whep/<id>`, body = answer |
//! | `DELETE /whep/<id>` | `200` once everything the session held is freed; `404` if unknown |
//! | `GET /healthz` | `200 ok` |
//! | `GET /metrics` | Prometheus text |
//! | `GET /api/roles` | the built roles and their languages, JSON ([`super::roles`]) |
//! | `GET /`, `/assets/*`, `/widget.js` | the page and widget ([`super::static_assets`]) |
//!
//! With a token configured, `/whep` and `/metrics` need `Authorization:
//! Bearer <token>` (else `401`). Errors: `415` for a body that is not
//! `application/sdp`, `400` for an offer that cannot be answered (the
//! body says why), `503` + `Retry-After` at the session cap. Per session,
//! `?avatar=&voice=&lang=` or the headers `X-Avatarcast-Avatar`,
//! `-Voice`, `-Lang` pick the avatar, voice and language (query first).
//! CORS is open so that the widget works when embedded in other sites.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::session::{self, SessionOptions};
use super::{ServeError, Shared, static_assets};

/// Seconds a client should wait before offering again at the cap.
const RETRY_AFTER_S: &str = "5";

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/whep", post(post_whep).options(preflight))
        .route(
            "/whep/{id}",
            axum::routing::delete(delete_whep).options(preflight),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route("/api/roles", get(roles))
        .route("/", get(|| async { asset("index.html") }))
        .route("/index.html", get(|| async { asset("index.html") }))
        .route("/widget.js", get(|| async { asset("widget.js") }))
        .route(
            "/assets/{*path}",
            get(|Path(path): Path<String>| async move { asset(&format!("assets/{path}")) }),
        )
        .layer(axum::middleware::map_response(cors))
        .with_state(shared)
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    let mut body = message.into();
    body.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

fn asset(path: &str) -> Response {
    match static_assets::asset(path) {
        Some((mime, bytes)) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        None => text(
            StatusCode::NOT_FOUND,
            format!("no such page or asset: /{path}"),
        ),
    }
}

async fn cors(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Location, Retry-After"),
    );
    response
}

async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST, DELETE, OPTIONS"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(
                    "Authorization, Content-Type, X-Avatarcast-Avatar, X-Avatarcast-Voice, X-Avatarcast-Lang",
                ),
            ),
            (header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600")),
        ],
    )
        .into_response()
}

/// `None` when allowed, else the 401 response.
fn check_token(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let expected = shared.config.token.as_deref()?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
        return None;
    }
    let mut response = text(
        StatusCode::UNAUTHORIZED,
        "missing or wrong bearer token; send `Authorization: Bearer <token>` as configured on the server",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    Some(response)
}

/// Compares without an early exit, so timing does not reveal the prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The roles for the page's pickers; the configured avatar (or the first
/// built role) is the default.
async fn roles(State(shared): State<Arc<Shared>>) -> Response {
    let dirs = crate::engine::avatar_dirs();
    let default = shared
        .config
        .avatar
        .clone()
        .or_else(|| crate::engine::default_role_id(&dirs));
    let roles = super::roles::list_roles(&dirs, default.as_deref());
    match serde_json::to_string(&roles) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot list roles: {e}"),
        ),
    }
}

async fn metrics(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(denied) = check_token(&shared, &headers) {
        return denied;
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        shared.metrics.render(),
    )
        .into_response()
}

fn options(
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<SessionOptions, Box<Response>> {
    let pick = |key: &str, header_name: &str| {
        query
            .get(key)
            .cloned()
            .or_else(|| {
                headers
                    .get(header_name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            })
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let lang = match pick("lang", "x-avatarcast-lang") {
        Some(l) => Some(
            l.parse()
                .map_err(|e| Box::new(text(StatusCode::BAD_REQUEST, format!("{e}"))))?,
        ),
        None => None,
    };
    let avatar = pick("avatar", "x-avatarcast-avatar");
    // Visitors choose among built roles only: a file path from the web
    // would let anyone make the server read files.
    if let Some(name) = &avatar
        && !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Box::new(text(
            StatusCode::BAD_REQUEST,
            format!("avatar {name:?} is not a role name; pick a built role such as `amy` or `leo`"),
        )));
    }
    Ok(SessionOptions {
        avatar,
        voice: pick("voice", "x-avatarcast-voice"),
        lang,
    })
}

async fn post_whep(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(denied) = check_token(&shared, &headers) {
        return denied;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/sdp") {
        return text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "the offer must be sent with `Content-Type: application/sdp`, got {content_type:?}"
            ),
        );
    }
    let options = match options(&query, &headers) {
        Ok(o) => o,
        Err(response) => return *response,
    };
    let Ok(offer) = std::str::from_utf8(&body) else {
        return text(
            StatusCode::BAD_REQUEST,
            "bad SDP offer: the body is not UTF-8 text",
        );
    };
    if !offer.trim_start().starts_with("v=0") {
        return text(
            StatusCode::BAD_REQUEST,
            "bad SDP offer: an SDP session description starts with `v=0`; send the browser's \
             RTCPeerConnection offer",
        );
    }
    // Reserve a slot first, so concurrent offers cannot exceed the cap.
    let metrics = &shared.metrics;
    let active = metrics.active_sessions.fetch_add(1, Ordering::AcqRel);
    if active >= shared.config.max_sessions as i64 {
        metrics.active_sessions.fetch_sub(1, Ordering::AcqRel);
        metrics.sessions_rejected.fetch_add(1, Ordering::Relaxed);
        let mut response = text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "all {} sessions are in use; retry in {RETRY_AFTER_S} s",
                shared.config.max_sessions
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_S));
        return response;
    }
    let id = super::new_session_id();
    let started = std::time::Instant::now();
    match session::open(&shared, &id, offer, options).await {
        Ok((answer, handle)) => {
            super::lock(&shared.sessions).insert(id.clone(), handle);
            metrics.sessions_total.fetch_add(1, Ordering::Relaxed);
            tracing::info!("session {id} opened (answered in {:?})", started.elapsed());
            (
                StatusCode::CREATED,
                [
                    (header::CONTENT_TYPE, "application/sdp".to_string()),
                    (header::LOCATION, format!("/whep/{id}")),
                ],
                answer,
            )
                .into_response()
        }
        Err(e) => {
            metrics.active_sessions.fetch_sub(1, Ordering::AcqRel);
            let status = match &e {
                ServeError::BadOffer(_)
                | ServeError::BadOption(_)
                | ServeError::Engine(_)
                | ServeError::Avatar(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::warn!("offer failed: {e}");
            }
            text(status, e.to_string())
        }
    }
}

async fn delete_whep(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = check_token(&shared, &headers) {
        return denied;
    }
    match shared.take(&id) {
        Some(handle) => {
            handle.close().await;
            text(StatusCode::OK, "session closed")
        }
        None => text(
            StatusCode::NOT_FOUND,
            format!("no session {id:?}; it ended already or the id is wrong"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison_is_exact() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn query_wins_over_headers_and_bad_lang_is_400() {
        let mut headers = HeaderMap::new();
        headers.insert("x-avatarcast-avatar", HeaderValue::from_static("leo"));
        headers.insert("x-avatarcast-voice", HeaderValue::from_static("en-gb"));
        let query: HashMap<String, String> = [
            ("avatar".to_string(), "amy".to_string()),
            ("lang".to_string(), "zh-CN".to_string()),
        ]
        .into();
        let o = options(&query, &headers).expect("valid");
        assert_eq!(o.avatar.as_deref(), Some("amy"));
        assert_eq!(o.voice.as_deref(), Some("en-gb"));
        assert_eq!(o.lang, Some(crate::speech::Lang::Zh));
        let bad: HashMap<String, String> = [("lang".to_string(), "fr".to_string())].into();
        let response = options(&bad, &HeaderMap::new()).expect_err("fr is not spoken");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let path: HashMap<String, String> =
            [("avatar".to_string(), "../../etc/x.glb".to_string())].into();
        let response = options(&path, &HeaderMap::new()).expect_err("paths are refused");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
}
