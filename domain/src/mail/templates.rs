//! E-mail texts, translated like the interface: `domain/locales/<lang>/mail.ftl`, compiled in.
//! A kind's e-mail is `mail-<kind>-subject` and `mail-<kind>-body`, framed by a greeting, a link
//! and a footer that says how to stop such e-mails.

use std::{borrow::Cow, collections::HashMap, str::FromStr};

use fluent_templates::{LanguageIdentifier, Loader, fluent_bundle::FluentValue, static_loader};

static_loader! {
    static MAIL = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks around values would end up in subjects and plain-text bodies.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// One text of the e-mail messages in `locale` (English when it has no translation).
pub fn text(locale: &str, key: &str) -> Option<String> {
    let lang = LanguageIdentifier::from_str(locale).unwrap_or_else(|_| LanguageIdentifier::from_str("en").unwrap());
    MAIL.try_lookup(&lang, key)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// The e-mail of `kind`, in `locale` (English when it has no translation). `args` are the
/// message's values plus `user` (the recipient's name), for a notification `link` (where the
/// thing is) and `settings` (where to change notification settings), for an account link
/// (`verify_email`, `reset_password`) `action` (the link) and `hours` (how long it works).
pub fn render(locale: &str, kind: &str, args: &[(&str, String)]) -> Rendered {
    let lang = LanguageIdentifier::from_str(locale).unwrap_or_else(|_| LanguageIdentifier::from_str("en").unwrap());
    let args: HashMap<Cow<'static, str>, FluentValue> =
        args.iter().map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone()))).collect();
    let text = |key: &str| MAIL.try_lookup_with_args(&lang, key, &args);
    let subject = text(&format!("mail-{kind}-subject")).unwrap_or_else(|| kind.to_owned());
    let mut body = Vec::new();
    body.extend(text("mail-greeting"));
    body.extend(text(&format!("mail-{kind}-body")));
    if args.contains_key("link") {
        body.extend(text("mail-open"));
    }
    body.extend(text("mail-signature"));
    let footer = if args.contains_key("settings") { "mail-footer" } else { "mail-footer-account" };
    body.push(format!("--\n{}", text(footer).unwrap_or_default()));
    Rendered { subject, body: body.join("\n\n") + "\n" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{accounts::Locale, notifications::KINDS};

    fn args() -> Vec<(&'static str, String)> {
        vec![
            ("user", "Ada".into()),
            ("name", "report.pdf".into()),
            ("link", "https://app.example/files/1".into()),
            ("settings", "https://app.example/notifications#settings".into()),
            ("hours", "24".into()),
        ]
    }

    /// What a kind's e-mail must name besides the user and the links: the file, or the hours an
    /// export can be downloaded.
    fn names(kind: &str) -> &'static str {
        if kind.starts_with("file_") { "report.pdf" } else { "24" }
    }

    #[test]
    fn every_kind_has_its_email_in_every_language() {
        let english: Vec<_> = KINDS.iter().map(|kind| render("en", kind.name, &args())).collect();
        for locale in Locale::ALL {
            for (kind, in_english) in KINDS.iter().zip(&english) {
                let mail = render(locale.as_str(), kind.name, &args());
                if kind.name.starts_with("file_") {
                    assert!(mail.subject.contains("report.pdf"), "{locale:?} {}: {}", kind.name, mail.subject);
                }
                for value in [
                    "Ada",
                    names(kind.name),
                    "https://app.example/files/1",
                    "https://app.example/notifications#settings",
                ] {
                    assert!(mail.body.contains(value), "{locale:?} {} lacks {value}:\n{}", kind.name, mail.body);
                }
                assert!(!mail.body.contains("mail-") && !mail.subject.contains("mail-"), "{locale:?} {}", kind.name);
                if locale.as_str() != "en" {
                    assert_ne!(&mail, in_english, "{locale:?} {} is not translated", kind.name);
                }
            }
        }
    }

    #[test]
    fn account_links_are_in_every_language() {
        let args = [
            ("user", "Ada".to_owned()),
            ("action", "https://app.example/x?token=abc".to_owned()),
            ("hours", "24".to_owned()),
            ("event", "Password changed".to_owned()),
            ("when", "Thu, 26 Nov 2026".to_owned()),
            ("ip", "24".to_owned()),
        ];
        for kind in ["verify_email", "reset_password", "security"] {
            let english = render("en", kind, &args);
            for locale in Locale::ALL {
                let mail = render(locale.as_str(), kind, &args);
                assert!(
                    !mail.subject.starts_with("mail-") && mail.subject != kind,
                    "{locale:?} {kind}: {}",
                    mail.subject
                );
                for value in ["Ada", "https://app.example/x?token=abc", "24"] {
                    assert!(mail.body.contains(value), "{locale:?} {kind} lacks {value}:\n{}", mail.body);
                }
                assert!(!mail.body.contains("notifications#settings"));
                if locale.as_str() != "en" {
                    assert_ne!(mail, english, "{locale:?} {kind} is not translated");
                }
            }
        }
    }

    #[test]
    fn every_security_notice_names_its_event_in_every_language() {
        use crate::audit::Event;
        for event in Event::ALL.into_iter().filter(|e| e.notifies_owner()) {
            for locale in Locale::ALL {
                let key = format!("mail-security-event-{}", event.code());
                assert!(text(locale.as_str(), &key).is_some_and(|t| !t.is_empty()), "{locale:?} lacks {key}");
            }
            assert_ne!(
                text("de", &format!("mail-security-event-{}", event.code())),
                text("en", &format!("mail-security-event-{}", event.code()))
            );
        }
    }

    #[test]
    fn an_unknown_language_falls_back_to_english() {
        assert_eq!(render("xx", "file_processed", &args()), render("en", "file_processed", &args()));
    }
}
