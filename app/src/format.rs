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

/// A user agent as a person recognises it: "Firefox · Linux", or its beginning when it names
/// neither a known browser nor a known system.
pub fn device(user_agent: &str) -> String {
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Android "Linux".
    const BROWSERS: [(&str, &str); 10] = [
        ("Edg", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("python-requests/", "Python"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| table.iter().find(|(m, _)| user_agent.contains(m)).map(|(_, n)| *n);
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} · {system}"),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) if user_agent.chars().count() > 40 => {
            format!("{}…", user_agent.chars().take(40).collect::<String>())
        }
        (None, None) => user_agent.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox · Linux"),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
                "Edge · Windows",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile \
                 Safari/537.36",
                "Chrome · Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari · iOS",
            ),
            ("curl/8.5.0", "curl"),
            ("AuditTest/1.0", "AuditTest/1.0"),
        ];
        for (agent, shown) in cases {
            assert_eq!(device(agent), shown, "{agent}");
        }
        assert_eq!(device(&"x".repeat(50)).chars().count(), 41);
    }
}
