//! The e-mail address newtype, below the accounts that own one and the audit log that searches
//! by one.

use crate::error::{Error, Field, Problem};

/// An e-mail address, trimmed and lower-cased so one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let email = raw.trim().to_lowercase();
        let invalid = |problem| Error::invalid(Field::Email, problem);
        if email.is_empty() {
            return Err(invalid(Problem::Required));
        }
        if email.len() > 254 {
            return Err(invalid(Problem::TooLong));
        }
        let (local, domain) = email.rsplit_once('@').ok_or(invalid(Problem::Malformed))?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && !local.contains('@')
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if !well_formed {
            return Err(invalid(Problem::Malformed));
        }
        Ok(Self(email))
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_ref(), "ada@example.com");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for raw in ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@-x.com", "ada@x..com"] {
            assert!(Email::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(local in "[a-z0-9._+-]{1,20}", domain in "[a-z0-9]{1,10}\\.[a-z]{2,5}") {
            let first = Email::parse(&format!("{local}@{domain}")).unwrap();
            let second = Email::parse(first.as_ref()).unwrap();
            prop_assert_eq!(first, second);
        }

        #[test]
        fn never_panics(raw in ".*") {
            let _ = Email::parse(&raw);
        }
    }
}
