//! Opening the database: the settings every SQLite connection of the pool must carry.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

use crate::harness::{Backend, open_database};

async fn pragma(db: &impl ConnectionTrait, name: &str) -> String {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), format!("PRAGMA {name}")))
        .await
        .unwrap()
        .unwrap();
    // journal_mode answers with text, synchronous with a number (1 is NORMAL, 2 is FULL).
    row.try_get_by_index::<String>(0).or_else(|_| row.try_get_by_index::<i32>(0).map(|n| n.to_string())).unwrap()
}

/// Every pooled connection, not only the first: two open transactions hold two connections.
#[tokio::test]
async fn every_sqlite_connection_uses_wal_and_syncs_at_checkpoints() {
    let opened = open_database(Backend::Sqlite, &[]).await;
    let db: &DatabaseConnection = &opened.db;
    let first = db.begin().await.unwrap();
    let second = db.begin().await.unwrap();
    for conn in [&first, &second] {
        assert_eq!(pragma(conn, "journal_mode").await, "wal");
        assert_eq!(pragma(conn, "synchronous").await, "1", "NORMAL, not SQLite's default FULL (2)");
    }
    first.rollback().await.unwrap();
    second.rollback().await.unwrap();
    assert_eq!(pragma(db, "synchronous").await, "1");
}
