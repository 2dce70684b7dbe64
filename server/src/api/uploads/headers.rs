//! The tus protocol's headers: their names, and reading and writing their values.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use base64::{Engine, engine::general_purpose::STANDARD};
use time::OffsetDateTime;

use crate::api::error::ApiError;

pub(super) const VERSION: &str = "1.0.0";
pub(super) const EXTENSIONS: &str = "creation,creation-with-upload,termination,expiration,checksum";
pub(super) const OCTETS: &str = "application/offset+octet-stream";

pub(super) const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
pub(super) const TUS_VERSION: HeaderName = HeaderName::from_static("tus-version");
pub(super) const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
pub(super) const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
pub(super) const TUS_CHECKSUM_ALGORITHM: HeaderName = HeaderName::from_static("tus-checksum-algorithm");
pub(super) const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
pub(super) const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
pub(super) const UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");
pub(super) const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
pub(super) const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
pub(super) const UPLOAD_CHECKSUM: HeaderName = HeaderName::from_static("upload-checksum");
pub(super) const FILE_LOCATION: HeaderName = HeaderName::from_static("file-location");

pub(super) fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(TUS_RESUMABLE).and_then(|v| v.to_str().ok()) {
        Some(VERSION) => Ok(()),
        sent => {
            let message = match sent {
                Some(other) => format!("Tus-Resumable {other} is not supported; this server speaks {VERSION}"),
                None => format!("send Tus-Resumable: {VERSION}"),
            };
            let mut err = ApiError::new(StatusCode::PRECONDITION_FAILED, "unsupported_tus_version", message);
            err.headers.push((TUS_VERSION, HeaderValue::from_static(VERSION)));
            Err(err)
        }
    }
}

pub(super) fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::CONTENT_TYPE)?.to_str().ok().map(|v| v.split(';').next().unwrap_or_default().trim())
}

pub(super) fn header_text<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Result<Option<&'h str>, ApiError> {
    headers
        .get(name)
        .map(|v| v.to_str().map_err(|_| ApiError::bad_request(format!("{name} is not ASCII text"))))
        .transpose()
}

/// A header holding a non-negative integer: digits only, as the protocol says.
pub(super) fn number(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, ApiError> {
    let Some(raw) = header_text(headers, name)? else { return Ok(None) };
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(format!("{name} must be a non-negative integer")));
    }
    raw.parse().map(Some).map_err(|_| ApiError::bad_request(format!("{name} is too large")))
}

/// The value of `key` in `Upload-Metadata` (`key base64, key base64, …`), decoded as UTF-8.
pub(super) fn metadata_value(metadata: &str, key: &str) -> Result<Option<String>, ApiError> {
    for pair in metadata.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once(' ').unwrap_or((pair, ""));
        if k != key {
            continue;
        }
        let bytes = STANDARD
            .decode(v.trim())
            .map_err(|_| ApiError::bad_request(format!("Upload-Metadata: the value of `{key}` is not base64")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| ApiError::bad_request(format!("Upload-Metadata: the value of `{key}` is not UTF-8")))?;
        return Ok(Some(text));
    }
    Ok(None)
}

/// `Upload-Checksum: sha256 <base64>`; any other algorithm is refused (400), as the protocol says.
pub(super) fn checksum(headers: &HeaderMap) -> Result<Option<[u8; 32]>, ApiError> {
    let Some(raw) = header_text(headers, &UPLOAD_CHECKSUM)? else { return Ok(None) };
    let (algorithm, digest) = raw.trim().split_once(' ').unwrap_or((raw, ""));
    if !algorithm.eq_ignore_ascii_case("sha256") {
        return Err(ApiError::bad_request(format!(
            "Upload-Checksum: algorithm `{algorithm}` is not supported; use sha256"
        )));
    }
    STANDARD
        .decode(digest.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .map(Some)
        .ok_or_else(|| ApiError::bad_request("Upload-Checksum: the digest is not 32 bytes of base64"))
}

pub(super) fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// An HTTP date (RFC 9110: `Sun, 06 Nov 1994 08:49:37 GMT`).
pub(super) fn http_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let weekday = at.weekday().to_string();
    let month = at.month().to_string();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &weekday[..3],
        at.day(),
        &month[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_http_dates() {
        let at = OffsetDateTime::from_unix_timestamp(784_111_777).unwrap();
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn metadata_is_read_by_key() {
        let metadata = "relativePath null,filename cmVwb3J0LnBkZg==, filetype YXBwbGljYXRpb24vcGRm,is_confidential";
        assert_eq!(metadata_value(metadata, "filename").unwrap().as_deref(), Some("report.pdf"));
        assert_eq!(metadata_value(metadata, "filetype").unwrap().as_deref(), Some("application/pdf"));
        assert_eq!(metadata_value(metadata, "is_confidential").unwrap().as_deref(), Some(""));
        assert_eq!(metadata_value(metadata, "missing").unwrap(), None);
        assert!(metadata_value("filename %%%", "filename").is_err());
    }

    #[test]
    fn only_sha256_checksums_are_taken() {
        let mut headers = HeaderMap::new();
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("md5 1B2M2Y8AsgTpgAmY7PhCfg=="));
        assert!(checksum(&headers).unwrap_err().message.contains("md5"));
        headers
            .insert(UPLOAD_CHECKSUM, HeaderValue::from_static("sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
        assert_eq!(checksum(&headers).unwrap().map(|d| d[0]), Some(0xe3));
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("sha256 AAAA"));
        assert!(checksum(&headers).is_err());
    }

    #[test]
    fn offsets_are_digits_only() {
        let mut headers = HeaderMap::new();
        for bad in ["-1", "+5", " 5", "1e3", ""] {
            headers.insert(UPLOAD_OFFSET, HeaderValue::from_str(bad).unwrap());
            assert!(number(&headers, &UPLOAD_OFFSET).is_err(), "{bad:?}");
        }
        headers.insert(UPLOAD_OFFSET, HeaderValue::from_static("42"));
        assert_eq!(number(&headers, &UPLOAD_OFFSET).unwrap(), Some(42));
    }
}
