//! Cookies, the per-request context (session, user, CSRF token), the CSRF
//! check on every POST, and the error and throttle responses.
//!
//! Cookies: `sid` (the session, or an anonymous id before sign-in) and
//! `device` (a remembered device), both `HttpOnly`, `SameSite=Lax`, `Path=/`
//! and `Secure` when `TWOSTEP_WEB_SECURE_COOKIES=1`. The database keys a
//! session by the SHA-256 of its id, never the id itself.
//!
//! CSRF: every form carries `csrf` = HMAC(key, sid); the middleware refuses a
//! POST whose field does not match its own cookie (compared in constant
//! time) before any handler runs.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{CACHE_CONTROL, COOKIE, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{KeyInit, Mac};
use maud::Markup;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use twostep::UnixTime;

use crate::db::{Session, User, UserId};
use crate::state::App;

pub const SID: &str = "sid";
pub const DEVICE: &str = "device";
/// A form body larger than this is refused.
const MAX_FORM: usize = 64 * 1024;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random id: 32 bytes as hex.
pub fn random_id() -> std::result::Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError(format!("os rng: {e}").into()))?;
    Ok(hex(&b))
}

/// SHA-256 of a session id: what the database stores and what binds an SMS
/// code to this login attempt.
pub fn session_hash(sid: &str) -> [u8; 32] {
    Sha256::digest(sid.as_bytes()).into()
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 256 && v.bytes().all(|b| b.is_ascii_graphic()))
}

/// A `Set-Cookie` value; `max_age` 0 deletes the cookie, `None` makes a
/// browser-session cookie.
pub fn set_cookie(app: &App, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if app.config.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn csrf_token(app: &App, sid: &str) -> String {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&app.csrf_key[..])
        .unwrap_or_else(|_| unreachable!("hmac takes any key length"));
    mac.update(sid.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Refuses every POST whose `csrf` field is not the token of its `sid`
/// cookie, then hands the request on with its body intact.
pub async fn csrf_guard(State(app): State<App>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    let expected = cookie(&parts.headers, SID).map(|sid| csrf_token(&app, &sid));
    let ok = match (sent, expected) {
        (Some(s), Some(e)) => bool::from(s.as_bytes().ct_eq(e.as_bytes())),
        _ => false,
    };
    if !ok {
        tracing::warn!(path = %parts.uri.path(), "csrf check failed");
        let page = crate::views::layout::message(
            "This form has expired",
            "Go back, reload the page and try again.",
        );
        return (StatusCode::FORBIDDEN, page).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Headers on every response: no framing, no sniffing, no referrer off
/// the site, and a content policy that allows only the page's own inline
/// style and same-site forms (the pages run no script).
pub async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    let csp = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    h.insert("content-security-policy", HeaderValue::from_static(csp));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}

/// An internal error: logged (twostep's and the database's errors carry no
/// secrets), answered with a plain page.
#[derive(Debug)]
pub struct AppError(pub Box<dyn std::error::Error + Send + Sync>);

impl<E: Into<Box<dyn std::error::Error + Send + Sync>>> From<E> for AppError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.0, "request failed");
        let page =
            crate::views::layout::message("Something went wrong", "Please try again in a moment.");
        (StatusCode::INTERNAL_SERVER_ERROR, page).into_response()
    }
}

pub type Result<T = Response> = std::result::Result<T, AppError>;

/// The request's session id, session and user.
pub struct Ctx {
    pub app: App,
    pub sid: String,
    new_sid: bool,
    pub csrf: String,
    pub session: Option<Session>,
    pub user: Option<User>,
    pub now: UnixTime,
    pub headers: HeaderMap,
}

impl FromRequestParts<App> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &App,
    ) -> std::result::Result<Self, AppError> {
        let now = app.clock.now();
        let (sid, new_sid) = match cookie(&parts.headers, SID) {
            Some(sid) => (sid, false),
            None => (random_id()?, true),
        };
        let mut session = if new_sid {
            None
        } else {
            app.db.session(&sid).await?
        };
        if let Some(s) = &session {
            if crate::routes::session_expired(s, now) {
                app.db.delete_session(&sid).await?;
                session = None;
            } else {
                app.db.touch_session(&sid, now).await?;
            }
        }
        tracing::debug!(path = %parts.uri.path(), new_sid, session = session.is_some(), "request");
        let user = match &session {
            Some(s) => app.db.user_by_id(s.user).await?,
            None => None,
        };
        Ok(Self {
            csrf: csrf_token(app, &sid),
            app: app.clone(),
            sid,
            new_sid,
            session,
            user,
            now,
            headers: parts.headers.clone(),
        })
    }
}

impl Ctx {
    /// The user, once both steps of sign-in are done.
    pub fn signed_in(&self) -> Option<&User> {
        self.session
            .as_ref()
            .filter(|s| s.verified_at.is_some())
            .and(self.user.as_ref())
    }

    /// The user between the password and the second step.
    pub fn second_step(&self) -> Option<&User> {
        self.session
            .as_ref()
            .filter(|s| s.verified_at.is_none())
            .and(self.user.as_ref())
    }

    /// A page, with the anonymous `sid` cookie if this request had none, and
    /// never cached (pages show codes, secrets and personal data).
    pub fn page(&self, status: StatusCode, markup: Markup) -> Response {
        let mut r = (status, markup).into_response();
        self.finish(&mut r);
        r
    }

    pub fn ok(&self, markup: Markup) -> Response {
        self.page(StatusCode::OK, markup)
    }

    /// 429 with `Retry-After` in whole seconds.
    pub fn throttled(&self, retry_after_secs: u64, markup: Markup) -> Response {
        let mut r = self.page(StatusCode::TOO_MANY_REQUESTS, markup);
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string()) {
            r.headers_mut().insert(RETRY_AFTER, v);
        }
        r
    }

    pub fn redirect(&self, to: &str) -> Response {
        let mut r = Redirect::to(to).into_response();
        self.finish(&mut r);
        r
    }

    fn finish(&self, r: &mut Response) {
        r.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.new_sid {
            r.headers_mut()
                .append(SET_COOKIE, set_cookie(&self.app, SID, &self.sid, None));
        }
    }

    /// Starts a new session for `user` under a new id (the old id, known
    /// before sign-in, is dropped: no session fixation) and returns the
    /// redirect that sets its cookie.
    pub async fn start_session(&self, user: UserId, verified: bool, to: &str) -> Result {
        self.app.db.delete_session(&self.sid).await?;
        let verified_at = verified.then_some(self.now);
        let token = self
            .app
            .db
            .create_session(user, verified_at, self.now)
            .await?;
        let sid = token.as_str();
        let mut r = Redirect::to(to).into_response();
        r.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r.headers_mut()
            .append(SET_COOKIE, set_cookie(&self.app, SID, sid, None));
        Ok(r)
    }
}
