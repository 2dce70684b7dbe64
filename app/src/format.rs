//! Numbers and dates as a reader wants them.

use crate::i18n::I18n;

/// `1536` → "1.5 KB" (in the reader's language), powers of 1024 as file managers show them.
pub fn size(i18n: I18n, bytes: u64) -> String {
    const UNITS: [&str; 4] = ["size-kb", "size-mb", "size-gb", "size-tb"];
    if bytes < 1024 {
        return i18n.t_args("size-bytes", &[("size", bytes.to_string())]);
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let shown = if value < 10.0 { format!("{value:.1}") } else { format!("{value:.0}") };
    i18n.t_args(UNITS[unit], &[("size", shown)])
}

/// An RFC 3339 UTC time as `YYYY-MM-DD HH:MM`.
pub fn date_time(rfc3339: &str) -> String {
    rfc3339.get(..16).map(|s| s.replacen('T', " ", 1)).unwrap_or_else(|| rfc3339.to_owned())
}

/// A short name for a file type: the format's own name, or a translated word.
pub fn file_type(i18n: I18n, content_type: &str) -> String {
    match content_type {
        "application/pdf" => "PDF".into(),
        "image/png" => "PNG".into(),
        "image/jpeg" => "JPEG".into(),
        "image/gif" => "GIF".into(),
        "image/webp" => "WebP".into(),
        "text/markdown" => "Markdown".into(),
        "text/csv" => "CSV".into(),
        _ => i18n.t("file-type-text"),
    }
}
