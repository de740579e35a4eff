//! Evidence files (佐证材料): kept on disk under the files directory, content-addressed by
//! their SM3 digest (GB/T 32905), with their metadata in the `attachments` table.
//!
//! Limits (SPEC §8 "upload limits"): at most [`MAX_BYTES`] per file, and only the types of
//! [`FileType`], checked by the file name's extension **and** by the content's magic bytes,
//! so a renamed executable is refused. Every stored file appends an audit event.

use crate::audit::{self, NewEvent};
use crate::{Conn, Result, StoreError, time};
use chrono::{DateTime, Utc};
use sm3::{Digest, Sm3};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::path::{Path, PathBuf};

/// 20 MiB per file.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Longest file name kept (characters).
const MAX_NAME_CHARS: usize = 120;

/// The accepted file types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    Pdf,
    Jpg,
    Png,
    Docx,
    Xlsx,
    Zip,
    /// 版式文档 (GB/T 33190), a ZIP package with `OFD.xml` at its root.
    Ofd,
}

/// The allow-list as users read it.
pub const ALLOWED_TEXT: &str = "PDF、JPG、PNG、DOCX、XLSX、ZIP、OFD";

impl FileType {
    pub const ALL: [FileType; 7] = [
        FileType::Pdf,
        FileType::Jpg,
        FileType::Png,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Zip,
        FileType::Ofd,
    ];

    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Jpg => &["jpg", "jpeg"],
            FileType::Png => &["png"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Zip => &["zip"],
            FileType::Ofd => &["ofd"],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Jpg => "JPG",
            FileType::Png => "PNG",
            FileType::Docx => "DOCX",
            FileType::Xlsx => "XLSX",
            FileType::Zip => "ZIP",
            FileType::Ofd => "OFD",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Zip => "application/zip",
            FileType::Ofd => "application/ofd",
        }
    }

    pub fn from_extension(ext: &str) -> Option<FileType> {
        let ext = ext.to_ascii_lowercase();
        FileType::ALL
            .into_iter()
            .find(|t| t.extensions().contains(&ext.as_str()))
    }

    pub fn from_content_type(ct: &str) -> Option<FileType> {
        FileType::ALL.into_iter().find(|t| t.content_type() == ct)
    }

    /// Does the content start as this type must? The Office and OFD formats are ZIP
    /// packages; their part names (`word/`, `xl/`, `OFD.xml`) are stored in clear in the
    /// local file headers, so they are looked for too.
    pub fn matches(self, bytes: &[u8]) -> bool {
        let zip = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06");
        match self {
            FileType::Pdf => bytes.starts_with(b"%PDF-"),
            FileType::Jpg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            FileType::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            FileType::Zip => zip,
            FileType::Docx => zip && contains(bytes, b"word/"),
            FileType::Xlsx => zip && contains(bytes, b"xl/"),
            FileType::Ofd => zip && contains(bytes, b"OFD.xml"),
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The name shown and offered on download: no directories, no control characters, not
/// too long (the extension is kept).
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.chars().count() <= 8 => (s.to_string(), format!(".{e}")),
        _ => (cleaned.clone(), String::new()),
    };
    let keep = MAX_NAME_CHARS.saturating_sub(ext.chars().count());
    let stem: String = stem.chars().take(keep).collect();
    format!("{stem}{ext}")
}

fn size_text(n: usize) -> String {
    // One decimal of MB, computed in integers.
    let tenths = (n as u64 * 10 + 512 * 1024) / (1024 * 1024);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// Checks one upload against the limits; the error says, in Chinese, what to do.
pub fn check(filename: &str, bytes: &[u8]) -> Result<FileType> {
    let name = clean_filename(filename);
    if name.is_empty() {
        return Err(StoreError::Invalid(
            "上传的文件没有文件名，请重新选择文件".into(),
        ));
    }
    if bytes.is_empty() {
        return Err(StoreError::Invalid(format!(
            "文件「{name}」是空文件，请重新选择"
        )));
    }
    if bytes.len() > MAX_BYTES {
        return Err(StoreError::Invalid(format!(
            "文件「{name}」大小为 {}，超过单个文件 20 MB 的上限，请压缩或拆分后上传",
            size_text(bytes.len())
        )));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let Some(kind) = FileType::from_extension(ext) else {
        return Err(StoreError::Invalid(format!(
            "不支持文件「{name}」的类型：只接受 {ALLOWED_TEXT} 格式的文件"
        )));
    };
    if !kind.matches(bytes) {
        return Err(StoreError::Invalid(format!(
            "文件「{name}」的内容不是有效的 {} 文件（与扩展名 .{} 不符），请检查后重新上传",
            kind.label(),
            ext.to_ascii_lowercase()
        )));
    }
    Ok(kind)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub owner_type: String,
    pub owner_id: i64,
    pub version: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub digest: String,
    pub storage_key: String,
    pub uploaded_by: Option<i64>,
    pub created_at: String,
}

impl Attachment {
    pub fn size_text(&self) -> String {
        size_text(usize::try_from(self.size).unwrap_or(0))
    }
}

/// Who uploads (a logged-in official, or the public for objection evidence).
#[derive(Debug, Clone, Copy)]
pub struct Uploader<'a> {
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub org_code: &'a str,
}

impl<'a> From<&'a crate::applications::Actor> for Uploader<'a> {
    fn from(a: &'a crate::applications::Actor) -> Self {
        Uploader {
            user_id: Some(a.user_id),
            name: &a.username,
            org_code: &a.org_code,
        }
    }
}

/// One file to keep.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    /// `application`, `review`, `objection`, …
    pub owner_type: &'a str,
    pub owner_id: i64,
    /// The declaration version it supports, for application files.
    pub version: Option<i64>,
    pub filename: &'a str,
    pub bytes: &'a [u8],
    /// The object whose audit trail records the upload (e.g. `application`, its id).
    pub audit_object_type: &'a str,
    pub audit_object_id: String,
}

const COLUMNS: &str = "id, owner_type, owner_id, version, filename, content_type, size, digest, storage_key, uploaded_by, created_at";

fn from_row(row: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: row.try_get("id")?,
        owner_type: row.try_get("owner_type")?,
        owner_id: row.try_get("owner_id")?,
        version: row.try_get("version")?,
        filename: row.try_get("filename")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        digest: row.try_get("digest")?,
        storage_key: row.try_get("storage_key")?,
        uploaded_by: row.try_get("uploaded_by")?,
        created_at: row.try_get("created_at")?,
    })
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Config(format!("{what}「{}」失败：{e}", path.display()))
}

/// Where a stored file lives: `<files_dir>/<first two hex digits>/<digest>`.
fn blob_path(files_dir: &Path, key: &str) -> Result<PathBuf> {
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Corrupt(format!("附件存储键「{key}」无效")));
    }
    let prefix = key.get(..2).unwrap_or("00");
    Ok(files_dir.join(prefix).join(key))
}

async fn write_blob(files_dir: &Path, key: &str, bytes: &[u8]) -> Result<()> {
    let path = blob_path(files_dir, key)?;
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(()); // same content already kept
    }
    let dir = path.parent().unwrap_or(files_dir);
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io_error("创建文件目录", dir, e))?;
    // Write aside, then rename: a reader never sees half a file.
    let tmp = dir.join(format!("{key}.tmp-{:016x}", rand::random::<u64>()));
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| io_error("写入文件", &tmp, e))?;
    tokio::fs::rename(&tmp, &path)
        .await
        .map_err(|e| io_error("保存文件", &path, e))?;
    Ok(())
}

/// Checks, keeps and records one file inside the caller's transaction. The file is on
/// disk before the row is written; if the transaction is rolled back the unreferenced
/// blob is harmless (content-addressed, reused by the next identical upload).
pub async fn store(
    conn: &mut Conn,
    files_dir: &Path,
    who: Uploader<'_>,
    f: &NewFile<'_>,
    now: DateTime<Utc>,
) -> Result<Attachment> {
    let kind = check(f.filename, f.bytes)?;
    let name = clean_filename(f.filename);
    let digest = hex::encode(Sm3::digest(f.bytes));
    write_blob(files_dir, &digest, f.bytes).await?;
    let size = i64::try_from(f.bytes.len()).unwrap_or(i64::MAX);
    let sql = format!(
        "INSERT INTO attachments (owner_type, owner_id, version, filename, content_type, size, digest,
             storage_key, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(f.owner_type)
        .bind(f.owner_id)
        .bind(f.version)
        .bind(&name)
        .bind(kind.content_type())
        .bind(size)
        .bind(&digest)
        .bind(&digest)
        .bind(who.user_id)
        .bind(time::to_text(now))
        .fetch_one(&mut *conn)
        .await?;
    let att = from_row(&row)?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: who.user_id,
            actor: who.name,
            actor_org: who.org_code,
            action: "upload",
            object_type: f.audit_object_type,
            object_id: f.audit_object_id.clone(),
            before_state: None,
            after_state: None,
            comment: None,
            detail: serde_json::json!({
                "attachment_id": att.id,
                "owner_type": att.owner_type,
                "owner_id": att.owner_id,
                "filename": att.filename,
                "size": att.size,
                "sm3": att.digest,
            }),
        },
        now,
    )
    .await?;
    Ok(att)
}

/// One attachment by id (callers check that its owner is in the caller's scope).
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Attachment>> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The files of one owner, oldest first.
pub async fn list(conn: &mut Conn, owner_type: &str, owner_id: i64) -> Result<Vec<Attachment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments WHERE owner_type = $1 AND owner_id = $2 ORDER BY id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(owner_type)
        .bind(owner_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The content of a stored file, checked against its SM3 digest.
pub async fn read(files_dir: &Path, att: &Attachment) -> Result<Vec<u8>> {
    let path = blob_path(files_dir, &att.storage_key)?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| io_error("读取文件", &path, e))?;
    if hex::encode(Sm3::digest(&bytes)) != att.digest {
        return Err(StoreError::Corrupt(format!(
            "附件 {} 的内容与登记的 SM3 摘要不符",
            att.id
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_and_magic_bytes_must_agree() {
        assert_eq!(
            check("材料.pdf", b"%PDF-1.7\n...").ok(),
            Some(FileType::Pdf)
        );
        assert_eq!(
            check("照片.JPEG", &[0xFF, 0xD8, 0xFF, 0xE0]).ok(),
            Some(FileType::Jpg)
        );
        assert_eq!(
            check("a.png", b"\x89PNG\r\n\x1a\nxxxx").ok(),
            Some(FileType::Png)
        );
        assert_eq!(check("a.zip", b"PK\x03\x04rest").ok(), Some(FileType::Zip));
        assert_eq!(
            check("a.docx", b"PK\x03\x04..word/document.xml").ok(),
            Some(FileType::Docx)
        );
        assert_eq!(
            check("a.xlsx", b"PK\x03\x04..xl/workbook.xml").ok(),
            Some(FileType::Xlsx)
        );
        assert_eq!(
            check("a.ofd", b"PK\x03\x04..OFD.xml").ok(),
            Some(FileType::Ofd)
        );
        // Renamed: refused.
        let e = check("材料.pdf", b"MZ\x90\x00").unwrap_err().to_string();
        assert!(e.contains("不是有效的 PDF 文件"), "{e}");
        assert!(check("a.docx", b"PK\x03\x04..xl/workbook.xml").is_err());
        // Not on the list: refused.
        let e = check("run.exe", b"MZ").unwrap_err().to_string();
        assert!(e.contains("只接受") && e.contains("OFD"), "{e}");
        assert!(check("noext", b"%PDF-").is_err());
        assert!(check("a.pdf", b"").is_err());
    }

    #[test]
    fn size_limit_is_twenty_mebibytes() {
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_BYTES, b' ');
        assert!(check("a.pdf", &big).is_ok());
        big.push(b' ');
        let e = check("a.pdf", &big).unwrap_err().to_string();
        assert!(e.contains("超过单个文件 20 MB"), "{e}");
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_filename("../../etc/passwd.pdf"), "passwd.pdf");
        assert_eq!(clean_filename("C:\\tmp\\报告.pdf"), "报告.pdf");
        assert_eq!(clean_filename("a\u{0}b\n.pdf"), "ab.pdf");
        let long = format!("{}.pdf", "长".repeat(300));
        let c = clean_filename(&long);
        assert_eq!(c.chars().count(), MAX_NAME_CHARS);
        assert!(c.ends_with(".pdf"));
    }
}
