//! Translations. Every word a user reads is looked up here in `locales/<lang>/*.ftl`; the files are
//! compiled into both the server and the wasm, so rendering never waits on I/O.

use std::{borrow::Cow, collections::HashMap, str::FromStr};

use fluent_templates::{LanguageIdentifier, Loader, fluent_bundle::FluentValue, static_loader};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

static_loader! {
    static LOCALES = {
        locales: "../locales",
        fallback_language: "en",
        // Unicode isolation marks around arguments would land inside attribute values and tests.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    De,
    Fr,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    pub fn dir(self) -> &'static str {
        if self == Lang::Ar { "rtl" } else { "ltr" }
    }

    fn id(self) -> LanguageIdentifier {
        LanguageIdentifier::from_str(self.code()).expect("language codes are valid identifiers")
    }

    /// Looks a message up; a missing key shows the key itself (the locale test forbids that).
    pub fn tr(self, key: &str) -> String {
        LOCALES.lookup(&self.id(), key)
    }

    /// Looks a message up with its values. `count` is a number (plural rules choose by it); every
    /// other value is text, so a file named `007` stays `007`.
    pub fn tr_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        let value = |k: &str, v: &String| match (k, v.parse::<f64>()) {
            ("count", Ok(n)) => FluentValue::from(n),
            _ => FluentValue::from(v.clone()),
        };
        let args: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Borrowed(*k), value(k, v))).collect();
        LOCALES.lookup_with_args(&self.id(), key, &args)
    }

    /// Picks the language: the signed-in user's preference, then the cookie, then `Accept-Language`.
    pub fn negotiate(preference: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        preference
            .and_then(Lang::from_code)
            .or_else(|| cookie.and_then(Lang::from_code))
            .or_else(|| accept_language.and_then(from_accept_language))
            .unwrap_or_default()
    }
}

/// The best supported language of an `Accept-Language` header, by quality.
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut ranges: Vec<(f32, Lang)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let lang = Lang::from_code(pieces.next()?)?;
            let quality =
                pieces.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (quality > 0.0).then_some((quality, lang))
        })
        .collect();
    // Stable sort keeps the header's order among equal qualities.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges.first().map(|(_, lang)| *lang)
}

/// The language of the page, shared by every component.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    pub fn lang(self) -> Lang {
        self.lang.get()
    }

    pub fn set(self, lang: Lang) {
        self.lang.set(lang);
    }

    pub fn t(self, key: &str) -> String {
        self.lang.get().tr(key)
    }

    pub fn t_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        self.lang.get().tr_args(key, args)
    }
}

pub fn provide_i18n(initial: Lang) -> I18n {
    let i18n = I18n { lang: RwSignal::new(initial) };
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A translated text for a view: `{t("nav-home")}`, or `placeholder=t("…")`.
///
/// In the browser it follows the language switcher. On the server the language is fixed for the
/// request, so the closure holds the language itself: leptos_meta evaluates `<Title>` after the
/// page's reactive owner is gone, and a closure over a signal would then read a disposed value.
pub fn t(key: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    {
        let lang = i18n.lang.get_untracked();
        move || lang.tr(key)
    }
    #[cfg(not(feature = "ssr"))]
    {
        move || i18n.t(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preference_beats_cookie_beats_header() {
        assert_eq!(Lang::negotiate(Some("de"), Some("fr"), Some("ar")), Lang::De);
        assert_eq!(Lang::negotiate(None, Some("fr"), Some("ar")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, None, Some("ar")), Lang::Ar);
        assert_eq!(Lang::negotiate(None, None, None), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), Some("zz"), None), Lang::En);
    }

    #[test]
    fn accept_language_honours_quality() {
        assert_eq!(from_accept_language("en;q=0.5, de-DE;q=0.9, fr;q=0.1"), Some(Lang::De));
        assert_eq!(from_accept_language("ja, fr-CA"), Some(Lang::Fr));
        assert_eq!(from_accept_language("ja, zh;q=0.8"), None);
        assert_eq!(from_accept_language("de;q=0, en"), Some(Lang::En));
    }

    #[test]
    fn translates_with_arguments() {
        assert_ne!(Lang::De.tr("nav-home"), Lang::En.tr("nav-home"));
        assert!(Lang::En.tr_args("welcome-back", &[("name", "Ada".into())]).contains("Ada"));
        assert_eq!(Lang::En.tr_args("files-uploaded", &[("count", "1".into())]), "One file uploaded.");
        assert!(Lang::En.tr_args("files-uploaded", &[("count", "3".into())]).contains("files uploaded"));
    }
}
