//! Upload framing: a multipart body as the upload door reads it (axum's `Multipart` is multer,
//! unconfigured), arriving in chunks, then the uploaded name through `FileName::clean` and the
//! first bytes through `sniff`, as `FileService::upload` does.
//!
//! Input: the `Content-Type` header, a newline, the body. The header's length picks the chunk size.
//!
//! Properties: the parser never yields more bytes than the body had; a cleaned name is one no file
//! system treats specially; the sniffed type is one of the allowed ones.
#![no_main]

use bytes::Bytes;
use domain::files::{FileName, sniff};
use futures_util::stream;
use libfuzzer_sys::fuzz_target;

const ALLOWED: [&str; 8] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/markdown",
    "text/csv",
];
/// What `FileService::upload` sniffs.
const SNIFF_LEN: usize = 8192;

fuzz_target!(|data: &[u8]| {
    // The cleaner on its own, for names no multipart framing would carry.
    check_names(&String::from_utf8_lossy(data));

    let Some(split) = data.iter().position(|&b| b == b'\n') else { return };
    let (header, body) = (&data[..split], &data[split + 1..]);
    let Ok(content_type) = std::str::from_utf8(header) else { return };
    let Ok(boundary) = multer::parse_boundary(content_type) else { return };
    let chunk = 1 + header.len() % 64;
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        body.chunks(chunk).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let mut multipart = multer::Multipart::new(stream::iter(chunks), boundary);

    futures_executor::block_on(async {
        let mut total = 0usize;
        loop {
            let mut field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) | Err(_) => break,
            };
            let name = field.name().map(str::to_owned);
            let file_name = field.file_name().filter(|n| !n.is_empty()).map(str::to_owned);
            let mut head = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(bytes)) => {
                        total += bytes.len();
                        if head.len() < SNIFF_LEN {
                            head.extend_from_slice(&bytes);
                        }
                    }
                    Ok(None) => break,
                    Err(_) => return,
                }
            }
            assert!(total <= body.len(), "{total} bytes of fields from a body of {}", body.len());
            if let (Some("file"), Some(file_name)) = (name.as_deref(), file_name) {
                check_names(&file_name);
                if let Ok(clean) = FileName::clean(&file_name) {
                    if let Some(kind) = sniff(&head, clean.as_ref()) {
                        assert!(ALLOWED.contains(&kind), "sniffed {kind}");
                    }
                }
            }
        }
    });
});

fn check_names(raw: &str) {
    if let Ok(name) = FileName::clean(raw) {
        assert_safe_name(name.as_ref(), raw);
    }
    if let Ok(name) = FileName::parse(raw) {
        assert_safe_name(name.as_ref(), raw);
    }
}

/// A name no file system (Windows' included) treats as a path, a device or something else.
fn assert_safe_name(name: &str, raw: &str) {
    assert!(!name.is_empty(), "{raw:?} became empty");
    assert!(name != "." && name != "..", "{raw:?} became {name:?}");
    assert!(!name.contains(['/', '\\']), "{raw:?} became {name:?}, a path");
    assert!(!name.chars().any(char::is_control), "{raw:?} became {name:?}, with a control character");
    assert!(
        !name.ends_with('.') && !name.ends_with(char::is_whitespace),
        "{raw:?} became {name:?}, a trailing dot or space"
    );
    assert!(name.chars().count() <= FileName::MAX_LENGTH, "{raw:?} became {} characters", name.chars().count());
    assert!(!is_device_name(name), "{raw:?} became {name:?}, a Windows device name");
}

/// Windows' reserved names (learn.microsoft.com, "Naming Files, Paths, and Namespaces"), with any
/// extension, and with spaces before the extension: `NUL`, `nul.txt`, `COM1 .tar.gz`, `COM¹`.
fn is_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default().trim_end_matches([' ', '\u{a0}']).to_uppercase();
    if ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"].contains(&stem.as_str()) {
        return true;
    }
    let Some(number) = stem.strip_prefix("COM").or_else(|| stem.strip_prefix("LPT")) else { return false };
    let mut chars = number.chars();
    matches!((chars.next(), chars.next()), (Some('0'..='9' | '¹' | '²' | '³'), None))
}
