//! One error type for handlers. The user sees a Chinese message that says what to do; the
//! detail of an internal failure goes to the log only.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("页面不存在")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    /// A rule refused the step (wrong state, over quota, …): 409 with the reason.
    #[error("{0}")]
    Conflict(String),
    #[error("内部错误")]
    Internal(String),
}

impl From<jiqun_store::StoreError> for WebError {
    fn from(e: jiqun_store::StoreError) -> Self {
        match e {
            jiqun_store::StoreError::NotFound => WebError::NotFound,
            jiqun_store::StoreError::Invalid(m) | jiqun_store::StoreError::Conflict(m) => {
                WebError::BadRequest(m)
            }
            jiqun_store::StoreError::Refused(m) => WebError::Conflict(m),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("模板渲染失败：{e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
}

/// Renders the error page; never fails (falls back to plain text).
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, format!("{title}：{message}")).into_response(),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match &self {
            WebError::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "页面不存在",
                "您访问的页面不存在，或您无权查看。请检查地址，或返回首页。",
            ),
            WebError::BadRequest(m) => error_page(StatusCode::BAD_REQUEST, "请求有误", m),
            WebError::Forbidden(m) => error_page(StatusCode::FORBIDDEN, "无权操作", m),
            WebError::Conflict(m) => error_page(StatusCode::CONFLICT, "操作未执行", m),
            WebError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统内部错误",
                    "系统处理请求时出错，已记录日志。请稍后重试；如问题持续，请联系系统管理员。",
                )
            }
        }
    }
}

pub type WebResult<T> = Result<T, WebError>;
