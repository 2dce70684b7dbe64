//! The chain's hashes: how a row is encoded, sealed with the current version (`a2` over the
//! rest, `p1` over the personal fields), and checked under whichever version it carries.

use sha2::{Digest, Sha256};

use crate::{Result, entities::audit_event, keys::Keyring};

pub(super) fn is_keyed(hash: &str) -> bool {
    hash.starts_with("a1:") || hash.starts_with("a2:")
}

/// Whether the row's hash is right: its HMAC under the key it names, or for an event from before
/// SECRET_KEYS, its plain SHA-256. An event whose personal data was blanked is checked without it:
/// an `a2` event still on everything else, an older one (whose hash covered that data) not at all,
/// its place in the chain being all that still holds.
pub(super) fn matches(row: &audit_event::Model, keys: &Keyring) -> Result<bool> {
    let blanked = row.pseudonymised_at.is_some();
    if row.hash.starts_with("a2:") {
        let Some(personal) = &row.personal_hash else { return Ok(false) };
        Ok(keys.verify(&row.hash, "a2", "audit-event", &[&encode_core(row, personal)])?
            && (blanked || keys.verify(personal, "p1", "audit-personal", &[&encode_personal(row)])?))
    } else if blanked {
        Ok(true)
    } else if is_keyed(&row.hash) {
        Ok(keys.verify(&row.hash, "a1", "audit-event", &[&encode(row, "smartai-audit-v2")])?)
    } else {
        Ok(unkeyed_hash(row) == row.hash)
    }
}

/// Gives a row its hashes as the log writes them now: `personal_hash` (`p1`) over the personal
/// fields, then `hash` (`a2`) over the others and `personal_hash`, both under the newest key.
pub fn seal(row: &mut audit_event::Model, keys: &Keyring) {
    let personal = keys.sign("p1", "audit-personal", &[&encode_personal(row)]);
    row.hash = keys.sign("a2", "audit-event", &[&encode_core(row, &personal)]);
    row.personal_hash = Some(personal);
}

/// The first keyed version's hash: `a1:<key id>:<HMAC-SHA256>` of every field but `hash` (and the
/// columns added after it) under the newest key.
pub fn keyed_hash(row: &audit_event::Model, keys: &Keyring) -> String {
    keys.sign("a1", "audit-event", &[&encode(row, "smartai-audit-v2")])
}

/// Hex SHA-256 of every field but `hash`: the hash of events from before SECRET_KEYS, which
/// anyone who can read the database can compute too.
pub fn unkeyed_hash(row: &audit_event::Model) -> String {
    format!("{:x}", Sha256::digest(encode(row, "smartai-audit-v1")))
}

/// Every field but `hash`, in a fixed order, after `label`. Each field is written as a presence
/// byte, then (if present) its length in bytes as a big-endian u64 and its UTF-8 bytes, so no two
/// different rows encode alike. Times are whole microseconds since the Unix epoch, which both
/// databases store exactly whatever the offset they hand back.
fn encode(row: &audit_event::Model, label: &str) -> Vec<u8> {
    let mut hasher = Vec::with_capacity(256);
    field(&mut hasher, Some(label));
    field(&mut hasher, Some(&row.seq.to_string()));
    field(&mut hasher, row.user_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut hasher, row.actor_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut hasher, Some(&row.event));
    field(&mut hasher, Some(&row.details));
    field(&mut hasher, row.ip.as_deref());
    field(&mut hasher, row.user_agent.as_deref());
    field(&mut hasher, row.request_id.as_deref());
    field(&mut hasher, Some(&(row.created_at.unix_timestamp_nanos() / 1000).to_string()));
    field(&mut hasher, Some(&row.prev_hash));
    hasher
}

fn field(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.push(0u8),
        Some(value) => {
            out.push(1u8);
            out.extend_from_slice(&(value.len() as u64).to_be_bytes());
            out.extend_from_slice(value.as_bytes());
        }
    }
}

/// What an `a2` hash covers: the fields an erasure keeps, and the personal fields' own hash.
fn encode_core(row: &audit_event::Model, personal_hash: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    field(&mut out, Some("smartai-audit-v3"));
    field(&mut out, Some(&row.seq.to_string()));
    field(&mut out, row.user_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut out, row.actor_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut out, Some(&row.event));
    field(&mut out, row.request_id.as_deref());
    field(&mut out, Some(&(row.created_at.unix_timestamp_nanos() / 1000).to_string()));
    field(&mut out, Some(&row.prev_hash));
    field(&mut out, Some(personal_hash));
    out
}

/// What a `p1` hash covers: the fields an erasure blanks. The row's number is in it so that
/// personal data cannot move to another event with its hash.
fn encode_personal(row: &audit_event::Model) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    field(&mut out, Some("smartai-audit-personal-v1"));
    field(&mut out, Some(&row.seq.to_string()));
    field(&mut out, Some(&row.details));
    field(&mut out, row.ip.as_deref());
    field(&mut out, row.user_agent.as_deref());
    out
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;
    use uuid::Uuid;

    use super::*;
    use crate::audit::GENESIS;
    fn row() -> audit_event::Model {
        audit_event::Model {
            seq: 1,
            user_id: Some(Uuid::nil()),
            actor_id: None,
            event: "sign_in".into(),
            details: "{}".into(),
            ip: Some("127.0.0.1".into()),
            user_agent: None,
            request_id: Some("abc".into()),
            created_at: OffsetDateTime::UNIX_EPOCH,
            prev_hash: GENESIS.into(),
            hash: String::new(),
            personal_hash: None,
            pseudonymised_at: None,
        }
    }

    #[test]
    fn every_field_is_in_both_hashes() {
        let keys = Keyring::ephemeral();
        let hashes = |r: &audit_event::Model| (unkeyed_hash(r), keyed_hash(r, &keys));
        let base = hashes(&row());
        assert_eq!(base.0.len(), 64);
        assert!(base.1.len() <= 64 && base.1.starts_with(&format!("a1:{}:", keys.newest())), "{}", base.1);
        let changes: [fn(&mut audit_event::Model); 10] = [
            |r| r.seq = 2,
            |r| r.user_id = None,
            |r| r.actor_id = Some(Uuid::nil()),
            |r| r.event = "sign_out".into(),
            |r| r.details = r#"{"a":1}"#.into(),
            |r| r.ip = None,
            |r| r.user_agent = Some(String::new()),
            |r| r.request_id = Some("abd".into()),
            |r| r.created_at += time::Duration::microseconds(1),
            |r| r.prev_hash = "1".repeat(64),
        ];
        for change in changes {
            let mut changed = row();
            change(&mut changed);
            let (unkeyed, keyed) = hashes(&changed);
            assert_ne!(unkeyed, base.0);
            assert_ne!(keyed, base.1);
        }
        let mut with_hash = row();
        with_hash.hash = "ignored".into();
        assert_eq!(hashes(&with_hash), base, "the stored hash is not part of what it covers");
    }

    #[test]
    fn the_unkeyed_hash_is_still_the_first_versions() {
        // Events written before SECRET_KEYS verify with the same bytes as then.
        assert_eq!(unkeyed_hash(&row()), "38c3b7c523dfb6530d27bba4a9d441a2fea358fcaf49d01ff080693c478bb9fd");
    }

    #[test]
    fn a_keyed_hash_checks_only_under_its_key() {
        let keys = Keyring::ephemeral();
        let mut keyed = row();
        keyed.hash = keyed_hash(&keyed, &keys);
        assert!(matches(&keyed, &keys).unwrap());
        assert!(matches(&keyed, &Keyring::ephemeral()).is_err(), "another ring lacks the key it names");
        let mut forged = keyed.clone();
        forged.ip = Some("203.0.113.9".into());
        assert!(!matches(&forged, &keys).unwrap());
        let mut legacy = row();
        legacy.hash = unkeyed_hash(&legacy);
        assert!(matches(&legacy, &keys).unwrap());
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let mut a = row();
        (a.ip, a.user_agent) = (Some("1.2.3.4x".into()), Some("y".into()));
        let mut b = row();
        (b.ip, b.user_agent) = (Some("1.2.3.4".into()), Some("xy".into()));
        assert_ne!(unkeyed_hash(&a), unkeyed_hash(&b));
    }

    #[test]
    fn a_sealed_event_keeps_its_other_fields_checked_once_blanked() {
        let keys = Keyring::ephemeral();
        let mut sealed = row();
        seal(&mut sealed, &keys);
        assert!(sealed.hash.starts_with("a2:") && sealed.hash.len() <= 64, "{}", sealed.hash);
        assert!(sealed.personal_hash.as_ref().is_some_and(|p| p.starts_with("p1:") && p.len() <= 64));
        assert!(matches(&sealed, &keys).unwrap());
        let mut edited = sealed.clone();
        edited.user_agent = Some("Forged/1.0".into());
        assert!(!matches(&edited, &keys).unwrap(), "the personal fields are covered");
        let mut blanked = sealed.clone();
        (blanked.ip, blanked.details, blanked.pseudonymised_at) = (None, "{}".into(), Some(OffsetDateTime::UNIX_EPOCH));
        assert!(matches(&blanked, &keys).unwrap(), "blanked personal data is not checked");
        let changes: [fn(&mut audit_event::Model); 2] =
            [|r| r.event = "sign_out".into(), |r| r.actor_id = Some(Uuid::max())];
        for change in changes {
            let mut changed = blanked.clone();
            change(&mut changed);
            assert!(!matches(&changed, &keys).unwrap(), "the rest still is");
        }
    }
}
