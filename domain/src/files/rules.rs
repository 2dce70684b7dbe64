//! The rules an upload meets before it is stored: its size, its name and its type.

use std::{fmt, str::FromStr};

use crate::{
    Error, Result,
    error::{Field, Problem},
};

/// A size in bytes, written as `1024`, `100KiB`, `100MiB`, `1GiB` (or kB/MB/GB for powers of ten).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let number: u64 = number.parse().map_err(|_| format!("`{s}` is not a size like 100MiB"))?;
        let factor: u64 = match unit.trim() {
            "" | "B" => 1,
            "kB" | "KB" => 1_000,
            "KiB" => 1 << 10,
            "MB" => 1_000_000,
            "MiB" => 1 << 20,
            "GB" => 1_000_000_000,
            "GiB" => 1 << 30,
            other => return Err(format!("unknown unit `{other}` (use B, KiB, MiB, GiB, kB, MB or GB)")),
        };
        number.checked_mul(factor).map(Self).ok_or_else(|| format!("`{s}` is too large"))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes", self.0)
    }
}

/// A file's name as its owner sees it: no path, no control characters, nothing a file system
/// would refuse or treat specially.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

/// Names Windows reserves for devices, with or without an extension (learn.microsoft.com, "Naming
/// Files, Paths, and Namespaces": the digits 0 and the superscripts ¹²³ count too).
const RESERVED: [&str; 32] = [
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    "COM0",
    "COM1",
    "COM2",
    "COM3",
    "COM4",
    "COM5",
    "COM6",
    "COM7",
    "COM8",
    "COM9",
    "COM\u{b9}",
    "COM\u{b2}",
    "COM\u{b3}",
    "LPT0",
    "LPT1",
    "LPT2",
    "LPT3",
    "LPT4",
    "LPT5",
    "LPT6",
    "LPT7",
    "LPT8",
    "LPT9",
    "LPT\u{b9}",
    "LPT\u{b2}",
    "LPT\u{b3}",
];

impl FileName {
    pub const MAX_LENGTH: usize = 255;

    /// A name the user typed (a rename): refused, never changed, when it breaks a rule.
    pub fn parse(raw: &str) -> Result<Self> {
        let name = raw.trim();
        let invalid = |problem| Error::invalid(Field::FileName, problem);
        if name.is_empty() {
            return Err(invalid(Problem::Required));
        }
        if name.chars().count() > Self::MAX_LENGTH {
            return Err(invalid(Problem::TooLong));
        }
        if name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\'))
            || name.trim_end_matches('.').is_empty()
            || name.ends_with('.')
        {
            return Err(invalid(Problem::Malformed));
        }
        if is_reserved(name) {
            return Err(invalid(Problem::Reserved));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name a browser or program sent with an upload, made safe: the last path part only,
    /// control characters dropped, trailing dots and spaces trimmed, reserved names prefixed, long
    /// names shortened keeping the extension.
    pub fn clean(raw: &str) -> Result<Self> {
        let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let name: String = base.chars().filter(|c| !c.is_control()).collect();
        let mut name = trim_name(&name).to_owned();
        if is_reserved(&name) {
            name.insert(0, '_');
        }
        if name.chars().count() > Self::MAX_LENGTH {
            let extension = name.rsplit_once('.').map(|(_, ext)| ext).filter(|ext| ext.chars().count() <= 16);
            let keep = Self::MAX_LENGTH - extension.map_or(0, |ext| ext.chars().count() + 1);
            let stem: String = name.chars().take(keep).collect();
            // Cut short, the stem may end in a dot or a space again.
            let stem = trim_name(&stem);
            name = match extension {
                Some(ext) if !stem.is_empty() => format!("{stem}.{ext}"),
                Some(ext) => ext.to_owned(),
                None => stem.to_owned(),
            };
        }
        if name.is_empty() {
            return Err(Error::invalid(Field::FileName, Problem::Required));
        }
        // Dots cut away may leave the extension alone, and it may be a device name.
        if is_reserved(&name) {
            name.insert(0, '_');
        }
        Ok(Self(name))
    }
}

/// Without the spaces around it and the dots after it, which Windows drops (Unicode spaces too,
/// so no name ends in one once its dots are gone).
fn trim_name(name: &str) -> &str {
    name.trim_start().trim_end_matches(|c: char| c == '.' || c.is_whitespace())
}

fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    RESERVED.iter().any(|reserved| stem.eq_ignore_ascii_case(reserved))
}

impl AsRef<str> for FileName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The type of a file, decided from its first bytes (never from its name alone): documents and
/// images we can show, and plain UTF-8 text. Anything else, executables included, is refused.
pub fn sniff(head: &[u8], name: &str) -> Option<&'static str> {
    const ALLOWED: [&str; 5] = ["application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"];
    if let Some(kind) = infer::get(head) {
        return ALLOWED.into_iter().find(|allowed| *allowed == kind.mime_type());
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // The sniffed window may end inside a multi-byte character.
        Err(err) if err.error_len().is_none() => std::str::from_utf8(&head[..err.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    if text.contains('\0') {
        return None;
    }
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    Some(match extension.as_deref() {
        Some("md" | "markdown") => "text/markdown",
        Some("csv") => "text/csv",
        _ => "text/plain",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!("1024".parse(), Ok(ByteSize(1024)));
        assert_eq!("100MiB".parse(), Ok(ByteSize(100 << 20)));
        assert_eq!("1GB".parse(), Ok(ByteSize(1_000_000_000)));
        assert!("lots".parse::<ByteSize>().is_err());
        assert!("5 parsecs".parse::<ByteSize>().unwrap_err().contains("parsecs"));
    }

    #[test]
    fn file_names_have_no_paths() {
        assert_eq!(FileName::parse(" report.pdf ").unwrap().as_ref(), "report.pdf");
        for bad in ["", "  ", "a/b", "..\\x", "..", "tab\there"] {
            assert!(FileName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(FileName::parse(&"x".repeat(256)).is_err());
        assert!(FileName::parse("nul.txt").is_err(), "a reserved device name");
        assert!(FileName::parse("notes.").is_err(), "a trailing dot");
    }

    #[test]
    fn uploaded_names_are_cleaned() {
        let clean = |raw| FileName::clean(raw).map(|n| n.0);
        assert_eq!(clean("C:\\Users\\ada\\report.pdf").unwrap(), "report.pdf");
        assert_eq!(clean("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean("bell\u{7}ring.txt ").unwrap(), "bellring.txt");
        assert_eq!(clean("CON.txt").unwrap(), "_CON.txt");
        assert_eq!(clean("dots...").unwrap(), "dots");
        assert!(clean("folder/").is_err());
        assert!(clean("..").is_err());
        let long = clean(&format!("{}.pdf", "x".repeat(300))).unwrap();
        assert_eq!((long.chars().count(), long.ends_with(".pdf")), (FileName::MAX_LENGTH, true));
    }

    /// Found by the fuzz target `multipart`: a long name cut at 255 characters kept a trailing dot
    /// (or space); device names Windows also reserves (`COM0`, `LPT¹`, `CONIN$`) were kept as they
    /// were; a Unicode space before trailing dots stayed at the end.
    #[test]
    fn cleaned_names_never_end_in_a_dot_or_space_nor_name_a_device() {
        let clean = |raw: &str| FileName::clean(raw).map(|n| n.0);
        for raw in [
            format!("{}. {}", "x".repeat(253), "y".repeat(40)),
            format!("{}.{}", "x".repeat(254), "y".repeat(40)),
            format!("{} {}", "x".repeat(254), "y".repeat(40)),
            format!("{}.{}.pdf", "x".repeat(240), ".".repeat(40)),
        ] {
            let name = clean(&raw).unwrap();
            assert!(!name.ends_with(['.', ' ']), "{name:?}");
            assert!(name.chars().count() <= FileName::MAX_LENGTH);
        }
        assert_eq!(clean(&format!("{}.pdf", ".".repeat(300))).unwrap(), "pdf");
        assert!(clean(&".".repeat(300)).is_err());
        assert_eq!(clean(&format!("{}.con", ".".repeat(300))).unwrap(), "_con");
        assert_eq!(clean("notes.\u{2003}.").unwrap(), "notes");
        for device in ["COM0", "lpt0.txt", "COM\u{b9}", "lpt\u{b3}.tar.gz", "CONIN$", "conout$.log", "NUL .txt"] {
            let name = clean(device).unwrap();
            assert!(name.starts_with('_'), "{device:?} kept as {name:?}");
            assert!(FileName::parse(device).is_err(), "{device:?} accepted as a new name");
        }
        assert_eq!(clean("COM10.txt").unwrap(), "COM10.txt", "not a device");
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "notes.txt"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "photo.pdf"), Some("image/png"));
        assert_eq!(sniff(b"# Title\n\nSome text", "readme.md"), Some("text/markdown"));
        assert_eq!(sniff("caf\u{e9}".as_bytes(), "a.txt"), Some("text/plain"));
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", "report.pdf"), None, "an executable");
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0", "invoice.pdf"), None, "a Windows executable");
        assert_eq!(sniff(b"text\0with nul", "a.txt"), None);
    }

    #[test]
    fn text_cut_inside_a_character_is_still_text() {
        let mut head = "ab\u{e9}".as_bytes().to_vec();
        head.pop();
        assert_eq!(sniff(&head, "a.txt"), Some("text/plain"));
    }
}
