//! Attachments: a file on a record — a screenshot, a log, a signed form. Its bytes are checked
//! against what they claim to be (the content type is read from the bytes, not believed from the
//! client), counted and hashed (SHA-256) when they arrive, and it is public (the customer sees it)
//! or internal, by the same rule as comments. Adding one is an entry in the record's history.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::comment::Visibility;
use crate::error::{Error, Result};
use crate::id::{AttachmentId, UserId};
use crate::validate::Checker;

/// The largest attachment accepted: 10 MiB.
pub const ATTACHMENT_MAX: usize = 10 * 1024 * 1024;

/// The longest file name kept.
pub const NAME_MAX: usize = 255;

/// An attachment as it is listed and read back (its bytes are downloaded on their own).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: AttachmentId,
    /// The reference of the record it is on.
    pub record: String,
    pub name: String,
    /// As read from the bytes (`image/png`, `application/pdf`, `text/plain`, …).
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    /// SHA-256 of the bytes, in hex.
    pub sha256: String,
    pub visibility: Visibility,
    pub uploaded_by: Option<UserId>,
    pub uploaded_at: DateTime<Utc>,
}

/// Types whose bytes say what they are, by their first bytes.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\x78\x9f\x3e\x22", "application/vnd.ms-tnef"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
];

/// Declared types a ZIP container may rightly carry (office documents are ZIP files).
const ZIP_BASED: &[&str] = &[
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// Declared types a plain UTF-8 text may keep; any other text is stored as `text/plain`, so a
/// page or script uploaded as an attachment is never served as one.
const TEXT_KINDS: &[&str] = &[
    "text/plain",
    "text/csv",
    "application/json",
    "text/x-log",
    "message/rfc822",
];

/// The type the bytes are, given the type the client declared (`None` or
/// `application/octet-stream` when it did not know). A declaration the bytes contradict — a PNG
/// sent as a PDF — is a field error on `content_type`.
pub fn content_type_of(bytes: &[u8], declared: Option<&str>) -> Result<String> {
    let declared = declared
        .map(|d| d.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    let sniffed = SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, t)| *t)
        .or_else(|| {
            if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
                Some("image/webp")
            } else {
                None
            }
        });
    let contradiction = |found: &str, d: &str| {
        Error::invalid(
            "content_type",
            format!("the bytes are {found}, not {d}; send the file's own type or none"),
        )
    };
    match (sniffed, declared.as_deref()) {
        (Some("application/zip"), Some(d)) if ZIP_BASED.contains(&d) => Ok(d.to_string()),
        (Some("application/x-ole-storage"), Some(d)) if d.starts_with("application/") => Ok(d.to_string()),
        (Some(found), Some(d)) if found != d => Err(contradiction(found, d)),
        (Some(found), _) => Ok(found.to_string()),
        (None, declared) => {
            let text = !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok();
            match declared {
                Some(d) if text && TEXT_KINDS.contains(&d) => Ok(d.to_string()),
                _ if text => Ok("text/plain".to_string()),
                Some(d) if SIGNATURES.iter().any(|(_, t)| *t == d) || d.starts_with("image/") => {
                    Err(contradiction("not of that type", d))
                }
                _ => Ok("application/octet-stream".to_string()),
            }
        }
    }
}

/// Checks an attachment's name and size before it is stored; returns the name to keep (its last
/// path segment, trimmed).
pub fn check_upload(name: &str, size: usize) -> Result<String> {
    let mut c = Checker::new();
    let name = name.rsplit(['/', '\\']).next().unwrap_or("").trim().to_string();
    if name.is_empty() {
        c.fail("name", "must name the file, e.g. ?name=screenshot.png");
    } else if name.chars().count() > NAME_MAX {
        c.fail("name", format!("must be at most {NAME_MAX} characters"));
    } else if name.chars().any(char::is_control) {
        c.fail("name", "must not contain control characters");
    }
    if size == 0 {
        c.fail("body", "is empty; send the file's bytes as the body");
    } else if size > ATTACHMENT_MAX {
        c.fail("body", format!("must be at most {} MiB", ATTACHMENT_MAX / 1024 / 1024));
    }
    c.finish()?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_read_from_the_bytes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(content_type_of(png, None).unwrap(), "image/png");
        assert_eq!(content_type_of(png, Some("image/png")).unwrap(), "image/png");
        assert_eq!(
            content_type_of(png, Some("application/octet-stream")).unwrap(),
            "image/png"
        );
        let e = content_type_of(png, Some("application/pdf")).unwrap_err();
        assert!(e.to_string().contains("content_type"), "{e}");
        let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        assert_eq!(content_type_of(b"PK\x03\x04rest", Some(docx)).unwrap(), docx);
        assert_eq!(content_type_of(b"PK\x03\x04rest", None).unwrap(), "application/zip");
        // Text keeps a text type it claims, and nothing else: a page is stored as text.
        assert_eq!(content_type_of(b"a,b\n1,2\n", Some("text/csv")).unwrap(), "text/csv");
        assert_eq!(
            content_type_of(b"<script>alert(1)</script>", Some("text/html")).unwrap(),
            "text/plain"
        );
        assert_eq!(
            content_type_of("ERROR at 10:02 ü".as_bytes(), None).unwrap(),
            "text/plain"
        );
        // Bytes that claim to be an image and are not.
        assert!(content_type_of(b"\x00\x01\x02", Some("image/png")).is_err());
        assert_eq!(
            content_type_of(b"\x00\x01\x02", None).unwrap(),
            "application/octet-stream"
        );
        let webp = b"RIFF\x10\0\0\0WEBPVP8 ";
        assert_eq!(content_type_of(webp, None).unwrap(), "image/webp");
    }

    #[test]
    fn names_and_sizes() {
        assert_eq!(check_upload("C:\\Users\\ana\\shot.png", 10).unwrap(), "shot.png");
        assert_eq!(check_upload("../../etc/passwd", 10).unwrap(), "passwd");
        assert!(check_upload("", 10).is_err());
        assert!(check_upload("a\u{7}b", 10).is_err());
        assert!(check_upload("ok.txt", 0).unwrap_err().to_string().contains("body"));
        assert!(check_upload("ok.txt", ATTACHMENT_MAX + 1).is_err());
        assert!(check_upload("ok.txt", ATTACHMENT_MAX).is_ok());
    }
}
