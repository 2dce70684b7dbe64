//! What the keys are used for in the database: which keys stored values name, bringing values from
//! before SECRET_KEYS under a key, and re-sealing under the newest key. A service above the
//! keyring (`keys`) and the two-factor secrets and audit chain it keys, so apart from the keyring.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Statement, sea_query::Expr,
};

use crate::{
    Actor, Result,
    accounts::two_factor,
    audit::AuditLog,
    entities::{recovery_code, two_factor as two_factor_row},
    keys::Keyring,
};

/// How many stored values name one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyUse {
    pub totp_secrets: u64,
    pub recovery_codes: u64,
    pub audit_events: u64,
}

impl KeyUse {
    pub fn total(&self) -> u64 {
        self.totp_secrets + self.recovery_codes + self.audit_events
    }
}

/// What [`KeyService::upgrade`] brought under a key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upgrade {
    /// TOTP secrets that were stored in clear, now sealed.
    pub sealed_totp_secrets: u64,
    /// Recovery codes stored as a plain SHA-256, now keyed.
    pub rehashed_recovery_codes: u64,
    /// The number of the keyed event appended to cover audit events from before the key.
    pub audit_anchor: Option<i64>,
}

/// What `smartai keys rotate` did, and what still needs the older keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rotation {
    pub upgrade: Upgrade,
    /// TOTP secrets re-sealed under the newest key.
    pub resealed_totp_secrets: u64,
    /// Per key id, the stored values that name it, after the rotation.
    pub in_use: BTreeMap<String, KeyUse>,
}

#[derive(Clone)]
pub struct KeyService {
    db: DatabaseConnection,
    keys: Keyring,
    audit: AuditLog,
}

impl KeyService {
    pub fn new(db: DatabaseConnection, keys: Keyring, audit: AuditLog) -> Self {
        Self { db, keys, audit }
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }

    /// Per key id, how many stored values name it (whether or not the key is in the ring).
    pub async fn in_use(&self) -> Result<BTreeMap<String, KeyUse>> {
        let mut uses: BTreeMap<String, KeyUse> = BTreeMap::new();
        for (id, n) in self.count_by_key("two_factor", "secret", &["v1"]).await? {
            uses.entry(id).or_default().totp_secrets += n;
        }
        for (id, n) in self.count_by_key("recovery_codes", "id", &["h1", "w1"]).await? {
            uses.entry(id).or_default().recovery_codes += n;
        }
        // Chain hashes, and (since version a2) the hashes of events' personal fields.
        for (column, versions) in [("hash", &["a1", "a2"][..]), ("personal_hash", &["p1"][..])] {
            for (id, n) in self.count_by_key("audit_events", column, versions).await? {
                uses.entry(id).or_default().audit_events += n;
            }
        }
        Ok(uses)
    }

    /// Fails, naming each, when stored values need a key that is not in the ring: what they
    /// sealed could not be opened, nor what they hashed checked. Run at every start.
    pub async fn check_in_use(&self) -> anyhow::Result<()> {
        let missing: Vec<String> = self
            .in_use()
            .await?
            .into_iter()
            .filter(|(id, _)| !self.keys.contains(id))
            .map(|(id, used)| {
                format!(
                    "`{id}` ({} TOTP secrets, {} recovery codes, {} audit events)",
                    used.totp_secrets, used.recovery_codes, used.audit_events
                )
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        anyhow::bail!(
            "SECRET_KEYS: the database still needs the key{} {}, which {} not in the list (it has {}); \
             add {} back, after the newest key",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" },
            self.keys.ids().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", "),
            if missing.len() == 1 { "it" } else { "them" },
        )
    }

    /// Brings what was stored before SECRET_KEYS under the newest key: seals TOTP secrets kept in
    /// clear, keys recovery-code hashes that were a plain SHA-256, and appends a keyed event
    /// after audit events that were only SHA-256 chained. Idempotent; run at every start.
    #[tracing::instrument(skip_all, err)]
    pub async fn upgrade(&self) -> Result<Upgrade> {
        let sealed_totp_secrets = self.reseal(|secret| !Keyring::is_sealed(secret)).await?;
        let rehashed_recovery_codes = self.rehash_recovery_codes().await?;
        let audit_anchor = self.audit.anchor_unkeyed().await?;
        let upgrade = Upgrade { sealed_totp_secrets, rehashed_recovery_codes, audit_anchor };
        if upgrade != Upgrade::default() {
            tracing::info!(
                sealed_totp_secrets,
                rehashed_recovery_codes,
                audit_anchor,
                key = %self.keys.newest(),
                "secrets from before SECRET_KEYS brought under the key"
            );
        }
        Ok(upgrade)
    }

    /// Re-seals every TOTP secret under the newest key (after the upgrade), and reports which
    /// keys stored values still need: recovery codes and audit events keep the key they were
    /// hashed with, so those keys stay in SECRET_KEYS.
    #[tracing::instrument(skip_all, err)]
    pub async fn rotate(&self, actor: &Actor) -> Result<Rotation> {
        actor.require_admin()?;
        self.check_in_use().await?;
        let upgrade = self.upgrade().await?;
        let newest = format!("v1:{}:", self.keys.newest());
        let resealed_totp_secrets = self.reseal(|secret| !secret.starts_with(&newest)).await?;
        Ok(Rotation { upgrade, resealed_totp_secrets, in_use: self.in_use().await? })
    }

    /// Seals under the newest key every TOTP secret `stale` picks. Each row is written only if
    /// it did not change meanwhile, so a concurrent enrolment is never overwritten.
    async fn reseal(&self, stale: impl Fn(&str) -> bool) -> Result<u64> {
        let rows = two_factor_row::Entity::find().all(&self.db).await?;
        let mut done = 0;
        for row in rows.into_iter().filter(|row| stale(&row.secret)) {
            let secret = two_factor::open_secret(&self.keys, &row)?;
            let sealed = two_factor::seal_secret(&self.keys, row.user_id, &secret);
            let updated = two_factor_row::Entity::update_many()
                .col_expr(two_factor_row::Column::Secret, Expr::value(sealed))
                .filter(two_factor_row::Column::UserId.eq(row.user_id))
                .filter(two_factor_row::Column::Secret.eq(row.secret.as_str()))
                .exec(&self.db)
                .await?;
            done += updated.rows_affected;
        }
        Ok(done)
    }

    /// Keys the recovery codes stored as a plain SHA-256: the code itself is gone, so the new
    /// hash is an HMAC of that SHA-256 (`w1:…`), which only the key can check.
    async fn rehash_recovery_codes(&self) -> Result<u64> {
        let rows = recovery_code::Entity::find()
            .filter(recovery_code::Column::Id.not_like("h1:%"))
            .filter(recovery_code::Column::Id.not_like("w1:%"))
            .all(&self.db)
            .await?;
        let mut done = 0;
        for row in rows {
            let keyed = two_factor::rehash_legacy_recovery_code(&self.keys, row.user_id, &row.id);
            let updated = recovery_code::Entity::update_many()
                .col_expr(recovery_code::Column::Id, Expr::value(keyed))
                .filter(recovery_code::Column::Id.eq(row.id.as_str()))
                .exec(&self.db)
                .await?;
            done += updated.rows_affected;
        }
        Ok(done)
    }

    /// Per key id, the rows of `table` whose `column` is `<version>:<key id>:…` for one of
    /// `versions` (each two characters).
    async fn count_by_key(&self, table: &str, column: &str, versions: &[&str]) -> Result<Vec<(String, u64)>> {
        let backend = self.db.get_database_backend();
        let key_id = match backend {
            DbBackend::Postgres => format!("split_part({column}, ':', 2)"),
            _ => format!("substr({column}, 4, instr(substr({column}, 4), ':') - 1)"),
        };
        let matches: Vec<String> = versions.iter().map(|v| format!("{column} LIKE '{v}:%'")).collect();
        let sql = format!(
            "SELECT {key_id} AS key_id, COUNT(*) AS n FROM {table} WHERE {} GROUP BY {key_id}",
            matches.join(" OR ")
        );
        let rows = self.db.query_all(Statement::from_string(backend, sql)).await?;
        rows.iter()
            .map(|row| -> Result<(String, u64)> {
                let id: String = row.try_get("", "key_id")?;
                let n: i64 = row.try_get("", "n")?;
                Ok((id, u64::try_from(n).unwrap_or_default()))
            })
            .collect()
    }
}
