//! The interface speaks every language completely, and only through `locales/`.
//!
//! * Every locale folder parses and holds exactly the messages of `locales/en`, the source of truth.
//! * Every translation key the code names exists in English.
//! * No component holds English text meant for users: words belong in the `.ftl` files.
//!
//! The source checks use a small lexer rather than a Rust parser: they only need to tell string
//! literals, comments and the brackets of `view!` bodies apart, and that keeps them dependency-free.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    ops::Range,
    path::{Path, PathBuf},
};

use app::i18n::Lang;
use fluent_templates::{
    LanguageIdentifier,
    fluent_bundle::{FluentArgs, FluentBundle, FluentResource},
};

/// The languages the product ships; more folders are welcome, fewer are not.
const REQUIRED_LOCALES: [&str; 4] = ["en", "de", "fr", "ar"];

/// The keys the server builds at run time (`error-{field}-{problem}` and the fixed error codes of
/// `AppError::message_key`), which no literal in the UI code spells out.
const SERVER_ERROR_KEYS: &[&str] = &[
    "error-email-required",
    "error-email-malformed",
    "error-email-too_long",
    "error-password-required",
    "error-password-too_short",
    "error-password-too_long",
    "error-password-too_common",
    "error-new_password-required",
    "error-new_password-too_short",
    "error-new_password-too_long",
    "error-new_password-too_common",
    "error-new_password-unsupported",
    "error-current_password-required",
    "error-code-incorrect",
    "error-challenge-expired",
    "error-two_factor-unsupported",
    "error-display_name-required",
    "error-display_name-too_long",
    "error-display_name-malformed",
    "error-locale-unsupported",
    "error-time_zone-required",
    "error-time_zone-unsupported",
    "error-email-taken",
    "error-invalid-credentials",
    "error-wrong-password",
    "error-too-many-attempts",
    "error-rate-limited",
    "error-unauthenticated",
    "error-forbidden",
    "error-not-found",
    "error-version-conflict",
    "error-unavailable",
    "error-internal",
    "error-request",
    "error-file-required",
    "error-file_name-required",
    "error-file_name-too_long",
    "error-file_name-malformed",
    "error-file_name-reserved",
    "error-avatar-required",
    "error-expires_in-too_short",
    "error-expires_in-too_long",
    "error-expires_in-malformed",
    "error-upload-required",
    "error-upload-too_large",
    "error-upload-over_quota",
    "error-upload-unsupported",
    "error-upload-dimensions",
    "error-upload-too_long",
    "error-upload-malformed",
    "error-upload-reserved",
    "error-notification_kind-unsupported",
    "error-token-expired",
    "error-passkey-malformed",
    "error-passkey-expired",
    "error-passkey-too_long",
    "error-passkey-unsupported",
    "error-provider-last_sign_in_method",
    "error-token_name-required",
    "error-token_name-too_long",
    "error-scopes-required",
    "error-scopes-unsupported",
    "error-expires_in-unsupported",
    // The assistant's refusals.
    "error-question-required",
    "error-question-too_long",
    "error-question-daily_limit",
    "error-title-required",
    "error-title-too_long",
    // Provider sign-in failures, by code (`domain::oidc::OidcError::code`, and the link page's).
    "oidc-error-provider",
    "oidc-error-denied",
    "oidc-error-state",
    "oidc-error-failed",
    "oidc-error-unverified",
    "oidc-error-email",
    "oidc-error-two_factor",
    "oidc-error-internal",
    "oidc-link-error-password",
    "oidc-link-error-throttled",
    // Built from a value in the UI code: sizes by unit, share lifetimes by choice.
    "size-kb",
    "size-mb",
    "size-gb",
    "size-tb",
    "share-lifetime-1h",
    "share-lifetime-1d",
    "share-lifetime-7d",
    "share-lifetime-30d",
    // Access tokens: scopes by name, lifetimes by choice (`rpc::tokens::LIFETIME_DAYS`).
    "tokens-scope-read",
    "tokens-scope-write",
    "tokens-scope-admin",
    "tokens-scope-read-hint",
    "tokens-scope-write-hint",
    "tokens-scope-admin-hint",
    "tokens-lifetime-7d",
    "tokens-lifetime-30d",
    "tokens-lifetime-90d",
    "tokens-lifetime-365d",
    // Notifications, by kind.
    "notification-file_processed",
    "notification-file_failed",
    "notification-file_refused",
    "notification-kind-file_processed",
    "notification-kind-file_failed",
    "notification-kind-file_refused",
    "notification-export_ready",
    "notification-kind-export_ready",
    // Data exports, by state (`domain::exports::ExportStatus`).
    "export-status-pending",
    "export-status-ready",
    "export-status-failed",
    "export-status-expired",
    // Security events on the profile, by code (`domain::audit::Event::code`).
    "audit-event-sign_up",
    "audit-event-sign_in",
    "audit-event-sign_in_failed",
    "audit-event-sign_out",
    "audit-event-password_changed",
    "audit-event-password_reset",
    "audit-event-session_revoked",
    "audit-event-role_changed",
    "audit-event-two_factor_enabled",
    "audit-event-two_factor_disabled",
    "audit-event-provider_linked",
    "audit-event-provider_unlinked",
    "audit-event-email_verified",
    "audit-event-passkey_added",
    "audit-event-passkey_removed",
    "audit-event-token_created",
    "audit-event-token_revoked",
    "audit-event-audit_keyed",
    "audit-event-audit_pruned",
    "audit-event-export_requested",
    "audit-event-export_downloaded",
    "audit-event-flag_changed",
    "audit-event-account_suspended",
    "audit-event-account_reactivated",
];

// ---------------------------------------------------------------------------------------------
// Locale files
// ---------------------------------------------------------------------------------------------

#[test]
fn every_interface_language_has_a_locale_folder() {
    let found: BTreeSet<String> = locales().into_keys().collect();
    let expected = REQUIRED_LOCALES.iter().copied().chain(Lang::ALL.iter().map(|lang| lang.code()));
    let missing: BTreeSet<&str> = expected.filter(|code| !found.contains(*code)).collect();
    assert!(
        missing.is_empty(),
        "locales/ lacks a folder for {missing:?}; found {found:?}. Every language in `Lang::ALL` and \
         each of {REQUIRED_LOCALES:?} needs `locales/<code>/*.ftl`."
    );
}

#[test]
fn every_locale_file_parses() {
    let problems: Vec<String> = locales().into_values().flat_map(|locale| locale.problems).collect();
    assert!(problems.is_empty(), "Fluent files with problems:\n  {}", problems.join("\n  "));
}

#[test]
fn every_locale_has_exactly_the_messages_of_english() {
    let mut locales = locales();
    let english = locales.remove("en").expect("locales/en is the source of truth and must exist");
    assert!(!english.messages.is_empty(), "locales/en holds no messages");
    let mut report = Vec::new();
    for (code, locale) in &locales {
        let missing: Vec<&str> =
            english.messages.keys().filter(|id| !locale.messages.contains_key(*id)).map(String::as_str).collect();
        let extra: Vec<&str> =
            locale.messages.keys().filter(|id| !english.messages.contains_key(*id)).map(String::as_str).collect();
        if !missing.is_empty() {
            report.push(format!("locales/{code} is missing {} message(s): {}", missing.len(), missing.join(", ")));
        }
        if !extra.is_empty() {
            report.push(format!("locales/{code} has {} message(s) English lacks: {}", extra.len(), extra.join(", ")));
        }
    }
    assert!(report.is_empty(), "locales differ from locales/en:\n  {}", report.join("\n  "));
}

#[test]
fn translations_keep_the_placeables_of_english() {
    let mut locales = locales();
    let english = locales.remove("en").expect("locales/en must exist");
    let mut report = Vec::new();
    for (code, locale) in &locales {
        for (id, message) in &locale.messages {
            let Some(source) = english.messages.get(id) else { continue };
            let (want, got) = (variables(&source.body), variables(&message.body));
            if want != got {
                report.push(format!(
                    "{}:{}: `{id}` uses {got:?}, English uses {want:?} ({code})",
                    message.file, message.line
                ));
            }
        }
    }
    assert!(report.is_empty(), "translations with other variables than English:\n  {}", report.join("\n  "));
}

/// One folder of `locales/`: its messages by id, and what is wrong with its files.
struct Locale {
    messages: BTreeMap<String, Message>,
    problems: Vec<String>,
}

struct Message {
    file: String,
    line: usize,
    body: String,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the app crate sits in the workspace").to_path_buf()
}

/// Every locale folder, by language code.
fn locales() -> BTreeMap<String, Locale> {
    let dir = workspace_root().join("locales");
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    entries
        .map(|entry| entry.expect("readable locales/ entry").path())
        .filter(|path| path.is_dir())
        .map(|path| {
            let code = path.file_name().expect("folder name").to_string_lossy().into_owned();
            let locale = load_locale(&code, &path);
            (code, locale)
        })
        .collect()
}

/// Parses every `.ftl` file of a folder with Fluent itself, and reads the message ids of the text.
/// Fluent exposes no list of ids, so they are read from the lines that start an entry and then
/// confirmed against the bundle, which also resolves every message once to catch bad references.
fn load_locale(code: &str, dir: &Path) -> Locale {
    let mut locale = Locale { messages: BTreeMap::new(), problems: Vec::new() };
    let lang_id: LanguageIdentifier = code.parse().unwrap_or_else(|_| {
        locale.problems.push(format!("locales/{code}: the folder name is not a language identifier"));
        LanguageIdentifier::default()
    });
    let mut bundle = FluentBundle::new(vec![lang_id]);
    bundle.set_use_isolating(false);
    let files = files_under(dir, "ftl");
    if files.is_empty() {
        locale.problems.push(format!("locales/{code}: no .ftl files"));
    }
    for path in files {
        let file = relative(&path);
        let source = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        for (id, line, body) in message_entries(&source) {
            match locale.messages.get(&id) {
                Some(first) => locale
                    .problems
                    .push(format!("{file}:{line}: `{id}` is defined again (first at {}:{})", first.file, first.line)),
                None => {
                    locale.messages.insert(id, Message { file: file.clone(), line, body });
                }
            }
        }
        let resource = FluentResource::try_new(source.clone()).unwrap_or_else(|(resource, errors)| {
            for error in errors {
                locale.problems.push(format!("{file}:{}: {error}", line_of(&source, error.pos.start)));
            }
            resource
        });
        // Duplicates are reported above with both places; the bundle's own complaint adds nothing.
        let _ = bundle.add_resource(resource);
    }
    for (id, message) in &locale.messages {
        let at = format!("{}:{}", message.file, message.line);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            locale.problems.push(format!("{at}: `{id}` has no value Fluent can read"));
            continue;
        };
        let mut args = FluentArgs::new();
        for name in variables(&message.body) {
            args.set(name, "x");
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&args), &mut errors);
        for error in errors {
            locale.problems.push(format!("{at}: `{id}` does not resolve: {error}"));
        }
    }
    locale
}

/// `(id, line, body)` of each message: a line starting with an identifier and `=` opens one, and
/// indented or blank lines continue it (the Fluent grammar; terms start with `-`, comments with `#`).
fn message_entries(source: &str) -> Vec<(String, usize, String)> {
    let mut entries: Vec<(String, usize, String)> = Vec::new();
    let mut open = false;
    for (index, line) in source.lines().enumerate() {
        let first = line.chars().next();
        if first.is_some_and(|c| c.is_ascii_alphabetic()) {
            let id: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            open = match line[id.len()..].trim_start().strip_prefix('=') {
                Some(value) => {
                    entries.push((id, index + 1, value.trim().to_owned()));
                    true
                }
                None => false,
            };
        } else if first.is_none_or(char::is_whitespace) {
            if let (true, Some(entry)) = (open, entries.last_mut()) {
                entry.2.push('\n');
                entry.2.push_str(line.trim());
            }
        } else {
            open = false;
        }
    }
    entries
}

/// The `$variables` a message refers to inside its placeables.
fn variables(body: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut depth = 0usize;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '$' if depth > 0 => {
                let mut name = String::new();
                while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphanumeric() || **n == '-' || **n == '_') {
                    name.push(n);
                    chars.next();
                }
                found.insert(name);
            }
            _ => {}
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Keys used by the code
// ---------------------------------------------------------------------------------------------

#[test]
fn every_key_the_code_uses_exists_in_english() {
    let english = english_ids();
    let mut uses = 0;
    let mut missing = Vec::new();
    for path in files_under(&app_src(), "rs") {
        let source = fs::read_to_string(&path).expect("readable source");
        for (line, key) in translation_keys_used(&source) {
            uses += 1;
            if !english.contains(&key) {
                missing.push(format!("{}:{line}: `{key}`", relative(&path)));
            }
        }
    }
    assert!(uses > 0, "found no translation keys in app/src; has the scanner stopped recognising `t(\"…\")`?");
    assert!(missing.is_empty(), "keys used in app/src that locales/en lacks:\n  {}", missing.join("\n  "));
}

#[test]
fn every_error_key_the_server_can_build_exists_in_english() {
    let english = english_ids();
    let missing: Vec<&str> = SERVER_ERROR_KEYS.iter().copied().filter(|key| !english.contains(*key)).collect();
    assert!(missing.is_empty(), "error keys the server can send that locales/en lacks: {}", missing.join(", "));
}

#[test]
fn key_scanner_sees_calls_props_and_error_literals() {
    let source = r#"
        // t("in-a-comment") is not a use.
        fn view() {
            let saved = query.get("saved");
            let key = format!("error-{field}-{problem}");
            let a = t("nav-home");
            let b = i18n.t("app-name") + &lang.tr("lang-native");
            let c = lang.tr_args("welcome-back", &[("name", name)]) + &i18n.t_args ( "greeting" , &[]);
            let d = Some("error-email-required");
            view! { <Field label="field-email" name="email" hint="field-password-hint"/> }
            const COLUMNS: &[Column] = &[Column::text("col-name"), Column::numeric("col-size"), Column::actions("col-actions")];
            view! { <SuccessAlert when=done message="saved"/> <CodeForm submit="confirm"/> }
        }
    "#;
    let keys: Vec<String> = translation_keys_used(source).into_iter().map(|(_, key)| key).collect();
    assert_eq!(
        keys,
        [
            "nav-home",
            "app-name",
            "lang-native",
            "welcome-back",
            "greeting",
            "error-email-required",
            "field-email",
            "field-password-hint",
            "col-name",
            "col-size",
            "col-actions",
            "saved",
            "confirm"
        ]
    );
    assert_eq!(translation_keys_used(source)[0].0, 6, "line numbers count from 1");
}

fn english_ids() -> BTreeSet<String> {
    let english = load_locale("en", &workspace_root().join("locales/en"));
    assert!(english.problems.is_empty(), "locales/en has problems:\n  {}", english.problems.join("\n  "));
    english.messages.into_keys().collect()
}

/// `(line, key)` of each literal the code hands to the translator: `t("…")`, `.tr("…")`,
/// `t_args("…"`, `tr_args("…"`, the `label="…"` and `hint="…"` props of `Field`, and every
/// literal that is a whole `error-…` key.
/// Functions whose string argument is a message key: the lookups, and a table's `Column`s.
const KEY_CALLS: [&str; 7] = ["t", "tr", "t_args", "tr_args", "text", "numeric", "actions"];
/// Component props that take a message key.
const KEY_PROPS: [&str; 4] = ["label", "hint", "message", "submit"];

fn translation_keys_used(source: &str) -> Vec<(usize, String)> {
    let lexed = Lexed::new(source);
    let code = &lexed.masked;
    let mut keys = Vec::new();
    for literal in &lexed.literals {
        let Some(before) = previous_code(code, literal.open) else { continue };
        let is_key = match code[before] {
            b'(' => name_before(code, before, false).is_some_and(|(_, name)| KEY_CALLS.contains(&name.as_str())),
            b'=' => prop_name(code, before).is_some_and(|name| KEY_PROPS.contains(&name.as_str())),
            _ => false,
        } || (literal.value.starts_with("error-") && !literal.value.contains('{'));
        if is_key {
            keys.push((line_of(source, literal.open), literal.value.clone()));
        }
    }
    keys
}

// ---------------------------------------------------------------------------------------------
// English left in components
// ---------------------------------------------------------------------------------------------

/// Attributes a user reads or hears; a literal value there must come from the translations.
const USER_VISIBLE_ATTRIBUTES: [&str; 4] = ["placeholder", "title", "aria-label", "alt"];

#[test]
fn scanner_flags_english_in_views() {
    let flagged = |source: &str| user_facing_literals(source).into_iter().map(|f| f.text).collect::<Vec<_>>();
    assert_eq!(flagged(r#"view! { <p>"Hello world"</p> }"#), ["Hello world"]);
    assert_eq!(flagged(r#"view! { <input placeholder="Your name"/> }"#), ["Your name"]);
    assert_eq!(flagged(r#"placeholder="Your name""#), ["Your name"]);
    assert_eq!(flagged("view! {\n  <p>\n    \"Hello\"\n  </p>\n}"), ["Hello"]);
    assert_eq!(flagged(r#"view! { <p>{"Hello"}</p> }"#), ["Hello"]);
    assert_eq!(flagged(r#"view! { <p>{t("a")} " or " <a href="/">{t("b")}</a></p> }"#), [" or "]);
    assert_eq!(
        flagged(r#"view! { <img alt="A cat"/><a title="Home" aria-label="Main">"x"</a> }"#),
        ["A cat", "Home", "Main"]
    );
    let findings = user_facing_literals("fn x() {}\nview! {\n  <b>\"Bold move\"</b>\n}");
    assert_eq!(findings[0].line, 3, "findings carry the line of the literal");
}

#[test]
fn scanner_allows_symbols_keys_and_code() {
    let samples = [
        r#"view! { <span aria-hidden="true">"◆"</span> }"#,
        r#"view! { <a class="button" href="/signin">{t("nav-sign-in")}</a> }"#,
        r#"view! { <p class="status-code">"404"</p> <p>{t("x")} " " <time/></p> <span>"🌐 "</span> }"#,
        r#"view! { <p class=move || if on { "active" } else { "idle" }>{t("x")}</p> }"#,
        r#"view! { {move || match x { Some(_) => "yes", None => "no" }} }"#,
        r#"view! { <Title formatter=move |page: String| format!("{page} · {}", name)/> }"#,
        r#"view! { <img alt=""/> <input placeholder=t("field-email")/> }"#,
        "// view! { <p>\"Hello world\"</p> }\n/* placeholder=\"Your name\" */",
        r#"let title = "Not an attribute"; self.title = "Nor this"; if a == "b" {}"#,
        r#"let c = '"'; view! { <p>{c}</p> }"#,
    ];
    for sample in samples {
        let findings = user_facing_literals(sample);
        assert!(findings.is_empty(), "flagged {:?} in {sample}", findings.iter().map(|f| &f.text).collect::<Vec<_>>());
    }
}

#[test]
fn components_hold_no_user_facing_english() {
    let src = app_src();
    let mut files = files_under(&src.join("pages"), "rs");
    files.extend(files_under(&src.join("components"), "rs"));
    files.push(src.join("lib.rs"));
    let mut offenders = Vec::new();
    for path in &files {
        let source = fs::read_to_string(path).expect("readable source");
        for finding in user_facing_literals(&source) {
            offenders.push(format!("{}:{}: {} {:?}", relative(path), finding.line, finding.kind, finding.text));
        }
    }
    assert!(files.len() > 1, "found no component sources under {}", src.display());
    assert!(
        offenders.is_empty(),
        "English text in components; add a message to locales/*/main.ftl and use `t(\"key\")` instead:\n  {}",
        offenders.join("\n  ")
    );
}

/// A string literal a user would read.
#[derive(Debug)]
struct Finding {
    line: usize,
    /// `text` for a text node, or the attribute's name.
    kind: String,
    text: String,
}

/// Literals a user would read: text nodes of `view!` bodies (`>"…"<`, `} "…" <`, `>{"…"}`) with
/// at least two ASCII letters in a row, and literal values of user-visible attributes with letters.
fn user_facing_literals(source: &str) -> Vec<Finding> {
    let lexed = Lexed::new(source);
    let code = &lexed.masked;
    let views = view_bodies(code);
    let mut findings = Vec::new();
    for literal in &lexed.literals {
        let Some(before) = previous_code(code, literal.open) else { continue };
        let after = next_code(code, literal.close + 1).map(|at| code[at]);
        let in_view = views.iter().any(|body| body.contains(&literal.open));
        let text_node = in_view
            && (closes_tag(code, before)
                || (after == Some(b'<') && matches!(code[before], b'}' | b'"'))
                || (code[before] == b'{'
                    && after == Some(b'}')
                    && previous_code(code, before)
                        .is_some_and(|b| closes_tag(code, b) || matches!(code[b], b'}' | b'"'))));
        if text_node && has_word(&literal.value) {
            findings.push(Finding {
                line: line_of(source, literal.open),
                kind: "text".into(),
                text: literal.value.clone(),
            });
            continue;
        }
        // `name="…"` or `name={"…"}`
        let equals = match code[before] {
            b'{' => previous_code(code, before).filter(|&b| code[b] == b'='),
            b'=' => Some(before),
            _ => None,
        };
        let attribute = equals.and_then(|equals| prop_name(code, equals));
        let attribute = attribute.filter(|name| USER_VISIBLE_ATTRIBUTES.contains(&name.as_str()));
        if let Some(name) = attribute.filter(|_| literal.value.chars().any(char::is_alphabetic)) {
            findings.push(Finding { line: line_of(source, literal.open), kind: name, text: literal.value.clone() });
        }
    }
    findings
}

/// Two ASCII letters in a row: a word, as opposed to "◆", "404" or " ".
fn has_word(text: &str) -> bool {
    text.as_bytes().windows(2).any(|pair| pair.iter().all(u8::is_ascii_alphabetic))
}

/// A `>` that ends a tag, as opposed to the arrows `=>` and `->`.
fn closes_tag(code: &[u8], at: usize) -> bool {
    code[at] == b'>' && (at == 0 || !matches!(code[at - 1], b'=' | b'-'))
}

/// The byte ranges of the bodies of `view! { … }` macros.
fn view_bodies(code: &[u8]) -> Vec<Range<usize>> {
    let mut bodies = Vec::new();
    let mut from = 0;
    while let Some(found) = find(code, b"view!", from) {
        from = found + 1;
        if found > 0 && is_ident(code[found - 1]) {
            continue;
        }
        let Some(open) = next_code(code, found + 5).filter(|&o| matches!(code[o], b'{' | b'(' | b'[')) else {
            continue;
        };
        let mut depth = 0usize;
        let mut end = code.len();
        for (at, byte) in code.iter().enumerate().skip(open) {
            match byte {
                b'{' | b'(' | b'[' => depth += 1,
                b'}' | b')' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        end = at;
                        break;
                    }
                }
                _ => {}
            }
        }
        bodies.push(open..end);
    }
    bodies
}

// ---------------------------------------------------------------------------------------------
// A small Rust lexer
// ---------------------------------------------------------------------------------------------

/// A source with its comments and the insides of its string and char literals blanked out (same
/// byte offsets, so brackets and quotes can be matched), and the string literals it holds.
struct Lexed {
    masked: Vec<u8>,
    literals: Vec<Literal>,
}

struct Literal {
    /// Byte offsets of the opening and closing quotes.
    open: usize,
    close: usize,
    value: String,
}

impl Lexed {
    fn new(source: &str) -> Lexed {
        let bytes = source.as_bytes();
        let mut lexed = Lexed { masked: bytes.to_vec(), literals: Vec::new() };
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            at = if rest.starts_with(b"//") {
                let end = find(bytes, b"\n", at).unwrap_or(bytes.len());
                lexed.blank(at..end);
                end
            } else if rest.starts_with(b"/*") {
                let end = block_comment_end(bytes, at);
                lexed.blank(at..end);
                end
            } else if rest[0] == b'"' {
                let close = string_end(bytes, at);
                lexed.literal(source, at, close, unescape(&source[at + 1..close]))
            } else if rest[0] == b'\'' {
                char_literal_end(source, at).map_or(at + 1, |close| {
                    lexed.blank(at + 1..close);
                    close + 1
                })
            } else if is_ident(rest[0]) {
                let end = at + rest.iter().take_while(|b| is_ident(**b)).count();
                match (&bytes[at..end], bytes.get(end)) {
                    (b"r" | b"br", Some(b'"' | b'#')) => {
                        let hashes = bytes[end..].iter().take_while(|b| **b == b'#').count();
                        let open = end + hashes;
                        if bytes.get(open) != Some(&b'"') {
                            end
                        } else {
                            let mut closing = vec![b'"'];
                            closing.extend(std::iter::repeat_n(b'#', hashes));
                            let close = find(bytes, &closing, open + 1).unwrap_or(bytes.len());
                            lexed.literal(source, open, close, source[open + 1..close].to_owned()) + hashes
                        }
                    }
                    // `b"…"` and `b'…'`: the loop reads the literal next.
                    _ => end,
                }
            } else {
                at + 1
            };
        }
        lexed
    }

    /// Records a literal, blanks its inside and returns the offset after it.
    fn literal(&mut self, source: &str, open: usize, close: usize, value: String) -> usize {
        let close = close.min(source.len().saturating_sub(1));
        self.blank(open + 1..close);
        self.literals.push(Literal { open, close, value });
        close + 1
    }

    fn blank(&mut self, range: Range<usize>) {
        for byte in &mut self.masked[range] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
}

fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut at = open + 1;
    while at < bytes.len() && bytes[at] != b'"' {
        at += if bytes[at] == b'\\' { 2 } else { 1 };
    }
    at.min(bytes.len())
}

fn block_comment_end(bytes: &[u8], open: usize) -> usize {
    let (mut depth, mut at) = (0usize, open);
    while at < bytes.len() {
        if bytes[at..].starts_with(b"/*") {
            depth += 1;
            at += 2;
        } else if bytes[at..].starts_with(b"*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += 1;
        }
    }
    bytes.len()
}

/// The closing quote of a char literal opening at `open`, or `None` for a lifetime (`'a`).
fn char_literal_end(source: &str, open: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    if bytes.get(open + 1) == Some(&b'\\') {
        return find(bytes, b"'", open + 3);
    }
    let width = source[open + 1..].chars().next()?.len_utf8();
    (bytes.get(open + 1 + width) == Some(&b'\'')).then_some(open + 1 + width)
}

fn unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            }
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.extend(u8::from_str_radix(&hex, 16).ok().map(char::from));
            }
            Some('\n') => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// The last non-blank byte before `at`.
fn previous_code(code: &[u8], at: usize) -> Option<usize> {
    code[..at].iter().rposition(|b| !b.is_ascii_whitespace())
}

/// The first non-blank byte from `at` on.
fn next_code(code: &[u8], at: usize) -> Option<usize> {
    code.get(at..)?.iter().position(|b| !b.is_ascii_whitespace()).map(|p| p + at)
}

/// The name (identifier, or with `dashes` an attribute name like `aria-label`) right before `at`.
fn name_before(code: &[u8], at: usize, dashes: bool) -> Option<(usize, String)> {
    let end = previous_code(code, at)? + 1;
    let start = code[..end].iter().rposition(|b| !(is_ident(*b) || (dashes && *b == b'-'))).map_or(0, |p| p + 1);
    (start < end).then(|| (start, String::from_utf8_lossy(&code[start..end]).into_owned()))
}

/// The attribute or prop assigned by the `=` at `equals`, if it is one: not `==`, `!=`, `<=`,
/// `>=`, a field (`self.title =`) or a binding (`let title =`).
fn prop_name(code: &[u8], equals: usize) -> Option<String> {
    if equals > 0 && matches!(code[equals - 1], b'=' | b'!' | b'<' | b'>') {
        return None;
    }
    let (start, name) = name_before(code, equals, true)?;
    if start > 0 && code[start - 1] == b'.' {
        return None;
    }
    let binding = name_before(code, start, false).is_some_and(|(_, word)| word == "let" || word == "mut");
    (!binding).then_some(name)
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Files ending in `.{ext}` under `dir`, at any depth, in a stable order.
fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return files };
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            files.extend(files_under(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// A path as the workspace names it, for messages.
fn relative(path: &Path) -> String {
    path.strip_prefix(workspace_root()).unwrap_or(path).display().to_string()
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}
