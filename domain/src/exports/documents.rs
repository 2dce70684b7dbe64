//! What an export says about its user, one JSON document per kind of record. Secrets are left
//! out (password hash, token hashes, the two-factor secret, passkey keys, session ids): they are
//! not the user's data but the keys to it.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::archive::Entry;
use crate::{
    Result,
    entities::{
        api_token, audit_event, conversation, file, message, notification, passkey, session, two_factor, user,
        user_identity,
    },
};

/// The documents and the objects of `user`'s export, in archive order.
pub(crate) async fn gather(db: &impl ConnectionTrait, found: &user::Model) -> Result<Vec<Entry>> {
    let id = found.id;
    let mut entries = Vec::new();
    let mut document = |name: &str, value: Value| {
        let bytes = serde_json::to_vec_pretty(&value).expect("JSON values serialise");
        entries.push(Entry::Document { name: name.to_owned(), bytes });
    };

    let files = file::Entity::find()
        .filter(file::Column::OwnerId.eq(id))
        .order_by_asc(file::Column::CreatedAt)
        .order_by_asc(file::Column::Id)
        .all(db)
        .await?;
    let mut names = ArchiveNames::default();
    let placed: Vec<(file::Model, String)> = files
        .into_iter()
        .map(|f| {
            let path = names.place(&f.name);
            (f, path)
        })
        .collect();

    document(
        "README.json",
        json!({
            "what": "A copy of the data SmartAIPlatform keeps about your account, as JSON, with your files under files/ \
                     by their original names.",
            "account": id,
            "made_at": at(OffsetDateTime::now_utc()),
            "documents": ["profile.json", "sessions.json", "access_tokens.json", "sign_in_methods.json", "files.json",
                          "notifications.json", "assistant_conversations.json", "security_events.json"],
        }),
    );
    document(
        "profile.json",
        json!({
            "id": found.id,
            "email": found.email,
            "email_verified_at": found.email_verified_at.map(at),
            "display_name": found.display_name,
            "role": found.role,
            "language": found.locale,
            "time_zone": found.time_zone,
            "avatar": found.avatar_id.map(|_| "avatar.png"),
            "created_at": at(found.created_at),
            "updated_at": at(found.updated_at),
            "deletion_due_at": found.deletion_due_at.map(at),
        }),
    );
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(id))
        .order_by_asc(session::Column::CreatedAt)
        .all(db)
        .await?;
    document(
        "sessions.json",
        Value::Array(
            sessions
                .iter()
                .map(|s| {
                    json!({
                        "created_at": at(s.created_at),
                        "last_seen_at": at(s.last_seen_at),
                        "expires_at": at(s.expires_at),
                        "user_agent": s.user_agent,
                        "ip": s.ip,
                        "signed_in_with": s.oidc_provider,
                    })
                })
                .collect(),
        ),
    );
    let tokens = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(id))
        .order_by_asc(api_token::Column::CreatedAt)
        .all(db)
        .await?;
    document(
        "access_tokens.json",
        Value::Array(
            tokens
                .iter()
                .map(|t| {
                    json!({
                        "id": t.id,
                        "name": t.name,
                        "scopes": t.scopes.split_whitespace().collect::<Vec<_>>(),
                        "created_at": at(t.created_at),
                        "expires_at": at(t.expires_at),
                        "last_used_at": t.last_used_at.map(at),
                        "last_used_ip": t.last_used_ip,
                    })
                })
                .collect(),
        ),
    );
    let identities = user_identity::Entity::find().filter(user_identity::Column::UserId.eq(id)).all(db).await?;
    let passkeys = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(id))
        .order_by_asc(passkey::Column::CreatedAt)
        .all(db)
        .await?;
    let second_factor = two_factor::Entity::find_by_id(id).one(db).await?;
    document(
        "sign_in_methods.json",
        json!({
            "password": !found.password_hash.is_empty(),
            "two_factor_enabled_at": second_factor.and_then(|t| t.enabled_at).map(at),
            "passkeys": passkeys.iter().map(|p| json!({
                "name": p.name, "created_at": at(p.created_at), "last_used_at": p.last_used_at.map(at),
            })).collect::<Vec<_>>(),
            "providers": identities.iter().map(|i| json!({
                "provider": i.provider, "email": i.email, "linked_at": at(i.linked_at),
            })).collect::<Vec<_>>(),
        }),
    );
    document(
        "files.json",
        Value::Array(
            placed
                .iter()
                .map(|(f, path)| {
                    json!({
                        "id": f.id,
                        "name": f.name,
                        "in_archive": path,
                        "content_type": f.content_type,
                        "size": f.size,
                        "sha256": f.sha256,
                        "uploaded_at": at(f.created_at),
                        "updated_at": at(f.updated_at),
                    })
                })
                .collect(),
        ),
    );
    let notifications = notification::Entity::find()
        .filter(notification::Column::UserId.eq(id))
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await?;
    document(
        "notifications.json",
        Value::Array(
            notifications
                .iter()
                .map(|n| {
                    json!({
                        "kind": n.kind,
                        "details": serde_json::from_str::<Value>(&n.params).unwrap_or(Value::Null),
                        "read_at": n.read_at.map(at),
                        "created_at": at(n.created_at),
                    })
                })
                .collect(),
        ),
    );
    let conversations = conversation::Entity::find()
        .filter(conversation::Column::OwnerId.eq(id))
        .order_by_asc(conversation::Column::CreatedAt)
        .all(db)
        .await?;
    let mut threads = Vec::with_capacity(conversations.len());
    for c in &conversations {
        let messages = message::Entity::find()
            .filter(message::Column::ConversationId.eq(c.id))
            .order_by_asc(message::Column::CreatedAt)
            .order_by_asc(message::Column::Id)
            .all(db)
            .await?;
        threads.push(json!({
            "title": c.title,
            "created_at": at(c.created_at),
            "updated_at": at(c.updated_at),
            "messages": messages.iter().map(|m| json!({
                "speaker": m.speaker,
                "content": m.content,
                "sources": serde_json::from_str::<Value>(&m.sources).unwrap_or(Value::Null),
                "created_at": at(m.created_at),
            })).collect::<Vec<_>>(),
        }));
    }
    document("assistant_conversations.json", Value::Array(threads));
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::UserId.eq(id))
        .order_by_asc(audit_event::Column::Seq)
        .all(db)
        .await?;
    document(
        "security_events.json",
        Value::Array(
            events
                .iter()
                .map(|e| {
                    json!({
                        "event": e.event,
                        "details": serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null),
                        "by_you": e.actor_id == Some(id),
                        "ip": e.ip,
                        "user_agent": e.user_agent,
                        "at": at(e.created_at),
                    })
                })
                .collect(),
        ),
    );

    if let Some(avatar) = found.avatar_id {
        entries.push(Entry::Object {
            name: "avatar.png".into(),
            key: crate::avatars::key(avatar, 256),
            content_type: "image/png".into(),
            modified: found.updated_at,
        });
    }
    for (f, path) in placed {
        entries.push(Entry::Object {
            name: path,
            key: f.object_key,
            content_type: f.content_type,
            modified: f.created_at,
        });
    }
    Ok(entries)
}

fn at(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_default()
}

/// Paths under `files/` for the users' names: safe in any unzip tool (no directories, no `..`,
/// no control characters) and unique (a second `report.pdf` is `report (2).pdf`).
#[derive(Default)]
pub(crate) struct ArchiveNames {
    taken: HashSet<String>,
}

impl ArchiveNames {
    pub(crate) fn place(&mut self, name: &str) -> String {
        let clean: String = name
            .chars()
            .map(|c| if c.is_control() || matches!(c, '/' | '\\' | ':') { '_' } else { c })
            .collect::<String>()
            .trim_matches(|c: char| c == '.' || c.is_whitespace())
            .to_owned();
        let clean = if clean.is_empty() { "file".to_owned() } else { clean };
        let (stem, extension) = match clean.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
            _ => (clean.clone(), String::new()),
        };
        let mut candidate = clean;
        let mut n = 2;
        while !self.taken.insert(candidate.to_lowercase()) {
            candidate = format!("{stem} ({n}){extension}");
            n += 1;
        }
        format!("files/{candidate}")
    }
}

#[cfg(test)]
mod tests {
    use super::ArchiveNames;

    #[test]
    fn names_are_unique_and_stay_inside_files() {
        let mut names = ArchiveNames::default();
        assert_eq!(names.place("report.pdf"), "files/report.pdf");
        assert_eq!(names.place("Report.PDF"), "files/Report (2).PDF");
        assert_eq!(names.place("report.pdf"), "files/report (3).pdf");
        assert_eq!(names.place("../../etc/passwd"), "files/_.._etc_passwd");
        assert_eq!(names.place("..."), "files/file");
        assert_eq!(names.place("a\u{0}b\nc"), "files/a_b_c");
        assert_eq!(names.place(".bashrc"), "files/bashrc");
    }
}
