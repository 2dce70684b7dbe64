//! What application logs may say about a person: IP addresses and e-mail addresses are kept or
//! masked (`LOG_PERSONAL_DATA`, default `mask`). Logs are shipped, searched and kept by tools the
//! platform does not control, under retention it does not set, so by default they keep only enough
//! to see a pattern (the network, the address's domain), not who.
//!
//! The choice is a process-wide setting, set once at start-up ([`set`]), because the lines that
//! carry such data are far apart (a middleware in the server, the mailer deep in a job) and the
//! tracing subscriber they write to is process-wide too: threading a flag through every service
//! for a log line would be out of proportion. Until it is set (tests, tools) addresses are masked.

use std::{
    net::IpAddr,
    sync::atomic::{AtomicBool, Ordering},
};

/// `LOG_PERSONAL_DATA`: whether logs keep IP and e-mail addresses as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogPersonalData {
    /// Addresses appear whole (for a deployment whose logs are as protected as its database).
    Keep,
    /// IPv4 addresses keep their /24, IPv6 their /48, e-mail addresses their first character
    /// and their domain.
    #[default]
    Mask,
}

impl LogPersonalData {
    /// The values the setting takes, with their help (`--help` lists them).
    pub const CHOICES: &[(&str, &str)] = &[
        ("keep", "Addresses appear whole (for a deployment whose logs are as protected as its database)"),
        (
            "mask",
            "IPv4 addresses keep their /24, IPv6 their /48, e-mail addresses their first character and their domain",
        ),
    ];
}

impl std::str::FromStr for LogPersonalData {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "keep" => Ok(Self::Keep),
            "mask" => Ok(Self::Mask),
            _ => Err(crate::config::parse::possible_values(Self::CHOICES)),
        }
    }
}

static KEEP: AtomicBool = AtomicBool::new(false);

/// Sets the choice for the whole process (at start-up, before anything logs).
pub fn set(choice: LogPersonalData) {
    KEEP.store(choice == LogPersonalData::Keep, Ordering::Relaxed);
}

fn keeping() -> bool {
    KEEP.load(Ordering::Relaxed)
}

/// An IP address as logs may show it.
pub fn ip(ip: IpAddr) -> String {
    if keeping() { ip.to_string() } else { mask_ip(ip) }
}

/// An e-mail address as logs may show it.
pub fn email(address: &str) -> String {
    if keeping() { address.to_owned() } else { mask_email(address) }
}

/// A message (an error from elsewhere, e.g. an SMTP server's answer that quotes the recipient) as
/// logs may show it: every e-mail address in it is masked.
pub fn text(message: &str) -> String {
    if keeping() { message.to_owned() } else { mask_emails_in(message) }
}

/// The network an address is in: an IPv4 address's /24 (`192.0.2.0/24`), an IPv6 address's /48
/// (`2001:db8:1::/48`), the sizes a provider usually hands one site. An IPv4 address mapped into
/// IPv6 is masked as IPv4.
pub fn mask_ip(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let network = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
            format!("{network}/48")
        }
    }
}

/// `j***@example.com`: the first character and the domain. Something without an `@` is no
/// address one can tell; it becomes `***` whole.
pub fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// Masks every e-mail address in free text: a run of address characters around an `@` with a
/// dot in the part after it.
pub fn mask_emails_in(text: &str) -> String {
    let is_local = |c: char| c.is_alphanumeric() || "._%+-!#$&'*/=?^`{|}~".contains(c);
    let is_domain = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let start = (0..i).rev().take_while(|&j| is_local(chars[j])).last().unwrap_or(i);
            let end = (i + 1..chars.len()).take_while(|&j| is_domain(chars[j])).last().map_or(i + 1, |j| j + 1);
            let domain: String = chars[i + 1..end].iter().collect();
            let domain = domain.trim_end_matches(['.', '-']);
            if start < i && domain.contains('.') {
                // The local part was copied already: take it back out, then write it masked.
                let local_len: usize = chars[start..i].iter().map(|c| c.len_utf8()).sum();
                out.truncate(out.len() - local_len);
                let local: String = chars[start..i].iter().collect();
                out.push_str(&mask_email(&format!("{local}@{domain}")));
                i += 1 + domain.chars().count();
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_keeps_its_slash_24() {
        assert_eq!(mask_ip("192.0.2.77".parse().unwrap()), "192.0.2.0/24");
        assert_eq!(mask_ip("::ffff:198.51.100.9".parse().unwrap()), "198.51.100.0/24", "mapped: as IPv4");
    }

    #[test]
    fn ipv6_keeps_its_slash_48() {
        assert_eq!(mask_ip("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1::/48");
        assert_eq!(mask_ip("::1".parse().unwrap()), "::/48");
    }

    #[test]
    fn an_address_keeps_its_first_character_and_domain() {
        assert_eq!(mask_email("jane.doe@example.com"), "j***@example.com");
        assert_eq!(mask_email("émile@example.fr"), "é***@example.fr", "a character, not a byte");
        assert_eq!(mask_email("@example.com"), "***@example.com");
        assert_eq!(mask_email("not an address"), "***");
    }

    #[test]
    fn addresses_in_text_are_masked_and_the_rest_stays() {
        let smtp = "permanent error (550): 5.1.1 <jane.doe+x@mail.example.com>: Recipient address rejected";
        assert_eq!(
            mask_emails_in(smtp),
            "permanent error (550): 5.1.1 <j***@mail.example.com>: Recipient address rejected"
        );
        assert_eq!(mask_emails_in("to a@b.example, b@c.example."), "to a***@b.example, b***@c.example.");
        for untouched in ["no address here", "user@localhost", "@handle", "a @ b", "50% @ 3.5"] {
            assert_eq!(mask_emails_in(untouched), untouched);
        }
    }

    #[test]
    fn the_setting_chooses_between_whole_and_masked() {
        // The only test that sets the process-wide choice; the others call the masks directly.
        let ip: IpAddr = "203.0.113.5".parse().unwrap();
        set(LogPersonalData::Keep);
        assert_eq!((super::ip(ip), email("ann@example.com")), ("203.0.113.5".into(), "ann@example.com".into()));
        assert_eq!(text("to ann@example.com"), "to ann@example.com");
        set(LogPersonalData::Mask);
        assert_eq!((super::ip(ip), email("ann@example.com")), ("203.0.113.0/24".into(), "a***@example.com".into()));
        assert_eq!(text("to ann@example.com"), "to a***@example.com");
    }
}
