//! File downloads: one place for the headers every download carries (content type, a
//! `Content-Disposition` that keeps Chinese file names, and for officials' data a
//! `Cache-Control` that keeps it out of shared caches).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The content type of an .xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The content type of a .docx document.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// RFC 6266 / 5987 `Content-Disposition` for a file name with Chinese characters: an ASCII
/// fallback and the UTF-8 name.
pub fn content_disposition(filename: &str) -> String {
    let mut encoded = String::with_capacity(filename.len() * 3);
    for b in filename.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(char::from(b));
            }
            _ => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A public download (open data): content type and file name.
pub fn file(body: impl IntoResponse, content_type: &str, filename: &str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// A download of an official's data (files, exports, reports): never cached.
pub fn private_file(body: impl IntoResponse, content_type: &str, filename: &str) -> Response {
    let mut resp = file(body, content_type, filename);
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_survive_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("现场.png"),
            "attachment; filename=\"__.png\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png"
        );
        let r = private_file(Vec::<u8>::new(), "bad\ntype", "a.bin");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/octet-stream"
        );
        assert_eq!(r.headers()[header::CACHE_CONTROL], "private, no-store");
    }
}
