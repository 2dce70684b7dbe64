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

/// A browser and system named from a `User-Agent` header ("Firefox", "Linux"), as far as it tells.
pub fn device(user_agent: &str) -> (Option<&'static str>, Option<&'static str>) {
    let has = |needle: &str| user_agent.contains(needle);
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    let browser = if has("Edg/") {
        Some("Edge")
    } else if has("OPR/") {
        Some("Opera")
    } else if has("Firefox/") {
        Some("Firefox")
    } else if has("Chrome/") || has("Chromium/") || has("HeadlessChrome/") {
        Some("Chrome")
    } else if has("Safari/") && has("Version/") {
        Some("Safari")
    } else if has("curl/") {
        Some("curl")
    } else {
        None
    };
    let system = if has("Android") {
        Some("Android")
    } else if has("iPhone") || has("iPad") {
        Some("iOS")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    (browser, system)
}

#[cfg(test)]
mod tests {
    use super::device;

    #[test]
    fn devices_are_named_from_common_user_agents() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(device(chrome), (Some("Chrome"), Some("Linux")));
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(device(edge), (Some("Edge"), Some("Windows")));
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device(safari), (Some("Safari"), Some("iOS")));
        let firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0; rv:120.0) Gecko/20100101 Firefox/120.0";
        assert_eq!(device(firefox), (Some("Firefox"), Some("macOS")));
        assert_eq!(device("reqwest"), (None, None));
    }
}
