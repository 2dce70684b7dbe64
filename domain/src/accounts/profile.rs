use std::str::FromStr;

use time::OffsetDateTime;

use crate::error::{Error, Field, Problem};

/// The name shown in the header and to other users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_LENGTH: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, Error> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let invalid = |problem| Error::invalid(Field::DisplayName, problem);
        if name.is_empty() {
            return Err(invalid(Problem::Required));
        }
        if name.chars().count() > Self::MAX_LENGTH {
            return Err(invalid(Problem::TooLong));
        }
        if name.chars().any(|c| c.is_control() || matches!(c, '<' | '>')) {
            return Err(invalid(Problem::Malformed));
        }
        Ok(Self(name))
    }

    /// The part of an e-mail address before the `@`, as a first display name.
    pub fn from_email(email: &super::Email) -> Self {
        let local = email.as_ref().split('@').next().unwrap_or_default();
        Self::parse(local).unwrap_or_else(|_| Self("user".into()))
    }
}

impl AsRef<str> for DisplayName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A language the interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    De,
    Fr,
    Ar,
}

impl Locale {
    pub const ALL: [Locale; 4] = [Self::En, Self::De, Self::Fr, Self::Ar];

    pub fn parse(raw: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == raw.trim())
            .ok_or(Error::invalid(Field::Locale, Problem::Unsupported))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Ar => "ar",
        }
    }
}

/// An IANA time zone name such as `Europe/Berlin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone(String);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Error::invalid(Field::TimeZone, Problem::Required));
        }
        chrono_tz::Tz::from_str(raw)
            .map(|tz| Self(tz.name().to_owned()))
            .map_err(|_| Error::invalid(Field::TimeZone, Problem::Unsupported))
    }

    pub fn utc() -> Self {
        Self("UTC".into())
    }

    /// `at` as a clock in this zone shows it (the zone's offset at that instant, so summer time
    /// is right on either side of a change). A name that is not a zone (it cannot be stored)
    /// reads as UTC.
    pub fn local(zone: &str, at: OffsetDateTime) -> OffsetDateTime {
        use chrono::{Offset, TimeZone as _};

        let Ok(tz) = chrono_tz::Tz::from_str(zone) else { return at.to_offset(time::UtcOffset::UTC) };
        let Some(utc) = chrono::DateTime::from_timestamp(at.unix_timestamp(), 0) else { return at };
        let seconds = tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc();
        time::UtcOffset::from_whole_seconds(seconds).map_or(at, |offset| at.to_offset(offset))
    }

    /// The instant a day begins on this zone's clocks (the first midnight, or the first minute
    /// after a gap where summer time skips midnight). A name that is not a zone reads as UTC.
    pub fn start_of_day(zone: &str, date: time::Date) -> OffsetDateTime {
        use chrono::TimeZone as _;

        let utc_midnight = date.midnight().assume_utc();
        let Ok(tz) = chrono_tz::Tz::from_str(zone) else { return utc_midnight };
        let Some(day) =
            chrono::NaiveDate::from_ymd_opt(date.year(), u32::from(u8::from(date.month())), u32::from(date.day()))
        else {
            return utc_midnight;
        };
        (0..=180)
            .step_by(15)
            .find_map(|minutes| {
                let local = day.and_hms_opt(0, 0, 0)? + chrono::Duration::minutes(minutes);
                tz.from_local_datetime(&local).earliest()
            })
            .and_then(|start| OffsetDateTime::from_unix_timestamp(start.timestamp()).ok())
            .unwrap_or(utc_midnight)
    }

    /// Every zone a user may choose, sorted.
    pub fn all() -> &'static [&'static str] {
        static NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
            let mut names: Vec<_> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
            names.sort_unstable();
            names
        });
        &NAMES
    }
}

impl AsRef<str> for TimeZone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_follows_the_zone_and_its_summer_time() {
        let winter = time::macros::datetime!(2026-01-15 12:00 UTC);
        let summer = time::macros::datetime!(2026-07-15 12:00 UTC);
        let shown =
            |zone, at| TimeZone::local(zone, at).format(&time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(shown("Europe/Berlin", winter), "2026-01-15T13:00:00+01:00");
        assert_eq!(shown("Europe/Berlin", summer), "2026-07-15T14:00:00+02:00");
        assert_eq!(shown("Asia/Kolkata", winter), "2026-01-15T17:30:00+05:30");
        assert_eq!(shown("America/New_York", summer), "2026-07-15T08:00:00-04:00");
        assert_eq!(shown("UTC", summer), "2026-07-15T12:00:00Z");
        assert_eq!(shown("Not/AZone", summer), "2026-07-15T12:00:00Z");
        assert_eq!(TimeZone::local("Europe/Berlin", summer), summer, "the same instant");
    }

    #[test]
    fn display_name_collapses_whitespace_and_limits_length() {
        assert_eq!(DisplayName::parse("  Ada   Lovelace ").unwrap().as_ref(), "Ada Lovelace");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(81)).is_err());
        assert!(DisplayName::parse("<script>").is_err());
    }

    #[test]
    fn display_name_from_email_uses_the_local_part() {
        let email = super::super::Email::parse("grace.hopper@example.com").unwrap();
        assert_eq!(DisplayName::from_email(&email).as_ref(), "grace.hopper");
    }

    #[test]
    fn locales_are_the_translated_ones() {
        assert_eq!(Locale::parse("de").unwrap(), Locale::De);
        assert!(Locale::parse("xx").is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(TimeZone::parse("Europe/Berlin").unwrap().as_ref(), "Europe/Berlin");
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(TimeZone::all().contains(&"America/New_York"));
    }
}
