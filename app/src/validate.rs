//! Checks run in the browser as the user types. They mirror the domain's rules for a quick hint;
//! the server's answer is the one that counts.

/// Translation key of what is wrong with an e-mail address, if anything.
pub fn email(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.is_empty() {
        return Some("error-email-required");
    }
    match value.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.ends_with('.') => None,
        _ => Some("error-email-malformed"),
    }
}

pub const PASSWORD_MIN_LENGTH: usize = 12;

pub fn new_password(value: &str) -> Option<&'static str> {
    match value.chars().count() {
        0 => Some("error-password-required"),
        n if n < PASSWORD_MIN_LENGTH => Some("error-password-too_short"),
        _ => None,
    }
}

pub fn required(value: &str, key: &'static str) -> Option<&'static str> {
    value.trim().is_empty().then_some(key)
}

pub fn password_present(value: &str) -> Option<&'static str> {
    required(value, "error-password-required")
}

pub fn current_password_present(value: &str) -> Option<&'static str> {
    required(value, "error-current_password-required")
}

/// The address typed to confirm an account's deletion: only its presence is checked here.
pub fn deletion_confirmation(value: &str) -> Option<&'static str> {
    required(value, "error-confirmation-required")
}

/// A code from an authenticator app or a recovery code: only its presence is checked here.
pub fn code(value: &str) -> Option<&'static str> {
    required(value, "error-code-required")
}

pub fn display_name(value: &str) -> Option<&'static str> {
    match value.trim().chars().count() {
        0 => Some("error-display_name-required"),
        n if n > 80 => Some("error-display_name-too_long"),
        _ => None,
    }
}

pub fn optional_display_name(value: &str) -> Option<&'static str> {
    if value.trim().is_empty() { None } else { display_name(value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_match_the_domain_rules() {
        assert_eq!(email(""), Some("error-email-required"));
        assert_eq!(email("ada"), Some("error-email-malformed"));
        assert_eq!(email("ada@example.com"), None);
        assert_eq!(new_password("short"), Some("error-password-too_short"));
        assert_eq!(new_password("twelve chars"), None);
    }
}
