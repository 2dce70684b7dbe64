//! Numbers and dates as a reader wants them.

use crate::i18n::{I18n, Lang};

/// `1536` → "1.5 KB" ("1,5 KB" in German), powers of 1024 as file managers show them.
pub fn size(i18n: I18n, bytes: u64) -> String {
    size_in(i18n.lang(), bytes)
}

fn size_in(lang: Lang, bytes: u64) -> String {
    const UNITS: [&str; 4] = ["size-kb", "size-mb", "size-gb", "size-tb"];
    if bytes < 1024 {
        return lang.tr_args("size-bytes", &[("size", bytes.to_string())]);
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let shown = if value < 10.0 { format!("{value:.1}") } else { format!("{value:.0}") };
    lang.tr_args(UNITS[unit], &[("size", shown.replace('.', decimal_separator(lang)))])
}

/// The decimal separator of the language's usual writing (Arabic interfaces commonly keep Western
/// digits and the point).
fn decimal_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::De | Lang::Fr => ",",
        Lang::En | Lang::Ar => ".",
    }
}

/// An RFC 3339 time as the reader says it: "6 Dec 2026, 14:05", "6. Dez. 2026, 14:05". The server
/// sends times already in the reader's time zone (see `dto`), so the clock shown is the one in
/// the string; a string that is not a time is shown as it is.
pub fn date_time(lang: Lang, rfc3339: &str) -> String {
    let Some(moment) = Moment::parse(rfc3339) else { return rfc3339.to_owned() };
    lang.tr_args(
        "date-time",
        &[
            ("day", moment.day.to_string()),
            ("month", lang.tr(&format!("month-{}", moment.month))),
            ("year", moment.year.to_string()),
            ("time", format!("{:02}:{:02}", moment.hour, moment.minute)),
        ],
    )
}

/// How long ago a recent time was ("just now", "3 minutes ago", "5 hours ago"); `None` from a day
/// on, and for a time in the future, where the date says more.
pub fn ago(lang: Lang, rfc3339: &str, now: i64) -> Option<String> {
    let age = now - Moment::parse(rfc3339)?.unix();
    match age {
        -59..60 => Some(lang.tr("time-just-now")),
        60..3_600 => Some(lang.tr_args("time-minutes-ago", &[("count", (age / 60).to_string())])),
        3_600..86_400 => Some(lang.tr_args("time-hours-ago", &[("count", (age / 3_600).to_string())])),
        _ => None,
    }
}

/// Seconds since 1970 by this machine's clock (the browser's once hydrated).
pub fn now() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (web_sys::js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    }
}

/// The parts of an RFC 3339 time (`2026-12-06T14:05:09.5+01:00`): its clock and its offset. Parsed
/// here rather than with a date crate, which the browser bundle would carry for this alone.
#[derive(Debug, PartialEq, Eq)]
struct Moment {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset_seconds: i64,
}

impl Moment {
    fn parse(s: &str) -> Option<Self> {
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let digits = s.get(range)?;
            digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok())?
        };
        let separators = s.as_bytes();
        if separators.len() < 20
            || separators[4] != b'-'
            || separators[7] != b'-'
            || !matches!(separators[10], b'T' | b't' | b' ')
            || separators[13] != b':'
            || separators[16] != b':'
        {
            return None;
        }
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let zone = s[19..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        let offset_seconds = match zone.as_bytes() {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let hours: i64 = zone[1..3].parse().ok()?;
                let minutes: i64 = zone[4..6].parse().ok()?;
                let seconds = hours * 3_600 + minutes * 60;
                if *sign == b'-' { -seconds } else { seconds }
            }
            _ => return None,
        };
        Some(Self { year: i64::from(year), month, day, hour, minute, second, offset_seconds })
    }

    /// Seconds since 1970 (days from the civil date, after Howard Hinnant's `days_from_civil`).
    fn unix(&self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = if month <= 2 { self.year - 1 } else { self.year };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        let days = era * 146_097 + day_of_era - 719_468;
        days * 86_400 + i64::from(self.hour) * 3_600 + i64::from(self.minute) * 60 + i64::from(self.second)
            - self.offset_seconds
    }
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
    fn times_are_read_with_their_offset() {
        let at = Moment::parse("2026-12-06T14:05:09.123+01:00").unwrap();
        assert_eq!((at.year, at.month, at.day, at.hour, at.minute), (2026, 12, 6, 14, 5));
        assert_eq!(at.unix(), 1_796_565_909 - 3_600, "the same instant as 13:05:09 UTC");
        assert_eq!(Moment::parse("1970-01-01T00:00:00Z").unwrap().unix(), 0);
        assert_eq!(Moment::parse("2000-02-29T05:30:00-05:30").unwrap().unix(), 951_822_000);
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-12-06T14:05:09",
            "2026-12-06T14:05:09+1",
            "٢٠٢٦-12-06T14:05:09Z",
        ] {
            assert_eq!(Moment::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_written_in_the_readers_language() {
        let at = "2026-12-06T09:05:00+05:30";
        assert_eq!(date_time(Lang::En, at), "6 Dec 2026, 09:05");
        assert_eq!(date_time(Lang::De, at), "6. Dez. 2026, 09:05");
        assert_eq!(date_time(Lang::Fr, at), "6 déc. 2026 à 09:05");
        assert_eq!(date_time(Lang::Ar, at), "6 ديسمبر 2026، 09:05");
        assert_eq!(date_time(Lang::En, "not a time"), "not a time");
        for month in 1..=12 {
            let at = format!("2026-{month:02}-01T00:00:00Z");
            for lang in Lang::ALL {
                assert!(!date_time(lang, &at).contains("month-"), "{lang:?} {month}");
            }
        }
    }

    #[test]
    fn recent_times_are_said_relative_to_now() {
        let at = "2026-12-06T14:00:00+01:00";
        let then = Moment::parse(at).unwrap().unix();
        assert_eq!(ago(Lang::En, at, then + 20).as_deref(), Some("just now"));
        assert_eq!(ago(Lang::En, at, then + 60).as_deref(), Some("1 minute ago"));
        assert_eq!(ago(Lang::En, at, then + 3 * 60 + 59).as_deref(), Some("3 minutes ago"));
        assert_eq!(ago(Lang::De, at, then + 2 * 3_600).as_deref(), Some("vor 2 Stunden"));
        assert_eq!(ago(Lang::Fr, at, then + 3_600).as_deref(), Some("il y a 1 heure"));
        assert_eq!(ago(Lang::Ar, at, then + 2 * 60).as_deref(), Some("منذ دقيقتين"));
        assert_eq!(ago(Lang::En, at, then + 86_400), None, "a day on, the date says more");
        assert_eq!(ago(Lang::En, at, then - 3_600), None, "the future");
    }

    #[test]
    fn sizes_use_the_languages_decimal_separator() {
        assert_eq!(size_in(Lang::En, 1536), "1.5 KB");
        assert_eq!(size_in(Lang::De, 1536), "1,5 KB");
        assert_eq!(size_in(Lang::Fr, 5 << 20), "5,0 Mo");
        assert_eq!(size_in(Lang::En, 512), "512 B");
    }

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
