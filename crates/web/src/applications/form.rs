//! A submitted form, whether sent as `application/x-www-form-urlencoded` or as
//! `multipart/form-data` (forms with a file input), so one handler serves both.

use crate::AppState;
use crate::error::WebError;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

/// One uploaded file.
pub struct Upload {
    pub field: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct FormData {
    fields: Vec<(String, String)>,
    files: Vec<Upload>,
}

impl FormData {
    /// The first value of a text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A text field, trimmed; empty when absent.
    pub fn trimmed(&self, name: &str) -> &str {
        self.text(name).map(str::trim).unwrap_or("")
    }

    /// Every value of a field sent several times (checkboxes), trimmed, empty ones left out.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn csrf(&self) -> &str {
        self.text("csrf").unwrap_or("")
    }

    /// The files sent under one field name.
    pub fn files<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Upload> + 'a {
        self.files.iter().filter(move |f| f.field == name)
    }
}

const UNREADABLE: &str = "提交的表单无法读取，请返回后重新提交（单个文件不超过 20 MB）。";

impl FromRequest<AppState> for FormData {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|_| WebError::BadRequest(UNREADABLE.into()))?;
            return Ok(FormData {
                fields,
                files: Vec::new(),
            });
        }
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| WebError::BadRequest(UNREADABLE.into()))?;
        let mut out = FormData::default();
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|_| WebError::BadRequest(UNREADABLE.into()))?
        {
            let name = field.name().unwrap_or("").to_string();
            let filename = field.file_name().map(str::to_string);
            let bytes = field
                .bytes()
                .await
                .map_err(|_| WebError::BadRequest(UNREADABLE.into()))?;
            match filename {
                // A file input left empty still sends a part without a name or content.
                Some(f) if f.is_empty() && bytes.is_empty() => {}
                Some(filename) => out.files.push(Upload {
                    field: name,
                    filename,
                    bytes: bytes.to_vec(),
                }),
                None => {
                    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        WebError::BadRequest("表单内容不是有效的 UTF-8 文本。".into())
                    })?;
                    out.fields.push((name, text));
                }
            }
        }
        Ok(out)
    }
}
