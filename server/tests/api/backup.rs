//! `smartai backup …` and `smartai migrate-data` through the binary: what an operator types.

use sea_orm::{ConnectionTrait, Database};

use crate::{
    cli::{smartai, stderr},
    helpers::{PASSWORD, postgres_admin_url, with_database},
};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn backup_create_verify_restore_through_the_binary() {
    let source = tempfile::tempdir().unwrap();
    let backups = source.path().join("backups");
    let backup_url = backups.to_str().unwrap();
    let env = [("BACKUP_URL", backup_url)];
    let created = smartai(
        source.path(),
        &["user", "create", "--email", "ada@example.com", "--password-stdin"],
        &env,
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let object = source.path().join("objects/files/ada/report.txt");
    std::fs::create_dir_all(object.parent().unwrap()).unwrap();
    std::fs::write(&object, b"the quarterly report").unwrap();

    let output = smartai(source.path(), &["backup", "create", "--with-objects"], &env, None);

    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let name = printed.lines().next().unwrap().to_owned();
    assert!(name.starts_with("smartai-") && name.ends_with(".tar.gz"), "{printed}");
    assert!(printed.contains("1 objects (20 bytes, included)"), "{printed}");
    println!("backup create: {printed}");
    let list = smartai(source.path(), &["backup", "list"], &env, None);
    assert!(stdout(&list).contains(&name), "{}", stdout(&list));
    let verify = smartai(source.path(), &["backup", "verify", &name], &env, None);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(stdout(&verify).contains("the archive and storage are intact"), "{}", stdout(&verify));

    // A fresh install (empty database, empty store) restores from the same location.
    let target = tempfile::tempdir().unwrap();
    let restore = smartai(target.path(), &["backup", "restore", &name], &env, None);
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert!(stdout(&restore).contains("and 1 objects"), "{}", stdout(&restore));
    assert_eq!(std::fs::read(target.path().join("objects/files/ada/report.txt")).unwrap(), b"the quarterly report");
    println!("backup restore: {}", stdout(&restore));

    // Again, now that it holds a user: refused without --force, done with it.
    let again = smartai(target.path(), &["backup", "restore", &name], &env, None);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds 1 user(s)") && stderr(&again).contains("--force"),
        "{}",
        stderr(&again)
    );
    let forced = smartai(target.path(), &["backup", "restore", &name, "--force"], &env, None);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stdout(&forced).contains("wiped"), "{}", stdout(&forced));

    // A missing object and an unknown archive: non-zero, naming the problem.
    std::fs::remove_file(&object).unwrap();
    let broken = smartai(source.path(), &["backup", "verify", &name], &env, None);
    assert!(!broken.status.success());
    assert!(stderr(&broken).contains("object files/ada/report.txt: missing from storage"), "{}", stderr(&broken));
    let archive_only = smartai(source.path(), &["backup", "verify", &name, "--archive-only"], &env, None);
    assert!(archive_only.status.success(), "{}", stderr(&archive_only));
    let unknown = smartai(source.path(), &["backup", "verify", "nope.tar.gz"], &env, None);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("no archive named `nope.tar.gz`"), "{}", stderr(&unknown));
}

#[tokio::test]
async fn migrate_data_moves_an_embedded_install_to_postgres() {
    let source = tempfile::tempdir().unwrap();
    let created = smartai(
        source.path(),
        &["user", "create", "--email", "ada@example.com", "--password-stdin"],
        &[],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let admin_url = postgres_admin_url();
    let name = format!("smartai_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
    admin.close().await.ok();
    let from = format!("sqlite://{}?mode=rwc", source.path().join("smartai.db").display());
    let to = with_database(&admin_url, &name);

    let output = smartai(source.path(), &["migrate-data", "--from", &from, "--to", &to], &[], None);

    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let users = printed.lines().find(|l| l.starts_with("users ")).unwrap_or_else(|| panic!("{printed}"));
    assert_eq!(users.split_whitespace().collect::<Vec<_>>(), ["users", "1", "1"]);
    assert!(!printed.contains("MISMATCH"), "{printed}");
    println!("migrate-data: {printed}");
    // The target now holds a user: a second move is refused.
    let again = smartai(source.path(), &["migrate-data", "--from", &from, "--to", &to], &[], None);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
}
