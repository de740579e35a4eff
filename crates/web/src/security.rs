//! Strict response headers on every response (issue 2, §10).

use axum::http::{HeaderName, HeaderValue, header};
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

/// No inline scripts or styles anywhere: everything comes from `/static`.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

type H = SetResponseHeaderLayer<HeaderValue>;

pub fn headers() -> Stack<H, Stack<H, Stack<H, Stack<H, Identity>>>> {
    let layer = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    tower::ServiceBuilder::new()
        .layer(layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(layer(header::REFERRER_POLICY, "no-referrer"))
        .into_inner()
}
