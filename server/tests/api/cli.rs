//! The `smartai` binary itself: start-up errors, migrations, the operator's commands.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use migration::{Migrator, MigratorTrait};

use crate::helpers::{Backend, PASSWORD, SECRET_KEYS, browser, spawn_app};

pub fn smartai(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_smartai"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env("DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .env("SECRET_KEYS", SECRET_KEYS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_unparsable_setting_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();

    let output = smartai(dir.path(), &["serve"], &[("DATABASE_URL", "mysql://db/app")], None);

    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("DATABASE_URL") && err.contains("mysql"), "{err}");
}

#[test]
fn an_unreachable_database_stops_start_up_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();

    let output = smartai(
        dir.path(),
        &["serve"],
        &[("DATABASE_URL", "postgres://app:s3cret@127.0.0.1:1/app"), ("DATABASE_CONNECT_TIMEOUT", "2s")],
        None,
    );

    assert!(!output.status.success());
    let err = stderr(&output);
    let line = err.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| panic!("no error line in {err}"));
    assert!(line.contains("DATABASE_URL: cannot connect to postgres://app:***@127.0.0.1:1/app"), "{line}");
    assert!(!err.contains("s3cret"), "the password leaked: {err}");
}

#[test]
fn a_settings_file_is_read_and_unknown_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("smartai.toml");
    std::fs::write(&file, "DATABSE_URL = \"postgres://x/y\"\n").unwrap();

    let output = smartai(dir.path(), &["--config", file.to_str().unwrap(), "migrate", "status"], &[], None);

    assert!(!output.status.success());
    assert!(stderr(&output).contains("unknown setting `DATABSE_URL`"), "{}", stderr(&output));

    let db = dir.path().join("from-file.db");
    std::fs::write(&file, format!("DATABASE_URL = \"sqlite://{}?mode=rwc\"\n", db.display())).unwrap();
    let output = smartai(dir.path(), &["--config", file.to_str().unwrap(), "migrate", "up"], &[], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(db.exists(), "the database named in the file was not used");
}

#[test]
fn migrations_go_up_down_and_report_status() {
    let dir = tempfile::tempdir().unwrap();
    let status = |dir: &std::path::Path| {
        let out = String::from_utf8(smartai(dir, &["migrate", "status"], &[], None).stdout).unwrap();
        out.lines().filter_map(|l| l.split_once("  ")).map(|(s, n)| (s.to_owned(), n.to_owned())).collect::<Vec<_>>()
    };

    // Every migration file is in the Migrator's list, in the order of the file names, and the
    // binary reports exactly that list.
    let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migration/src"))
        .unwrap()
        .filter_map(|entry| entry.unwrap().file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".rs").filter(|stem| stem.starts_with("m2")).map(str::to_owned))
        .collect();
    files.sort();
    assert_eq!(known, files, "migration/src and Migrator::migrations() disagree");
    let fresh = status(dir.path());
    assert_eq!(fresh.iter().map(|(_, name)| name).collect::<Vec<_>>(), known.iter().collect::<Vec<_>>());
    assert!(fresh.iter().all(|(s, _)| s == "pending"), "{fresh:?}");
    assert!(smartai(dir.path(), &["migrate", "up"], &[], None).status.success());
    assert!(status(dir.path()).iter().all(|(s, _)| s == "applied"));

    // One step down reverts the newest migration only.
    assert!(smartai(dir.path(), &["migrate", "down"], &[], None).status.success());
    let one_down = status(dir.path());
    let (last, rest) = one_down.split_last().unwrap();
    assert_eq!(last.0, "pending", "{one_down:?}");
    assert!(rest.iter().all(|(s, _)| s == "applied"), "{one_down:?}");

    // The rest, all the way down: every migration reverts cleanly, on SQLite too.
    let steps = rest.len().to_string();
    assert!(smartai(dir.path(), &["migrate", "down", "--steps", &steps], &[], None).status.success());
    assert!(status(dir.path()).iter().all(|(s, _)| s == "pending"));
    assert!(smartai(dir.path(), &["migrate", "up"], &[], None).status.success(), "and up again");
}

#[test]
fn a_bad_retention_or_log_setting_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value, problem) in [
        ("AUDIT_RETENTION", "a year", "`a year` is not a duration (e.g. 90d, 1y) or `forever`"),
        ("ASSISTANT_CONVERSATIONS_RETENTION", "soon", "`soon` is not a duration"),
        ("OUTBOX_RETENTION", "-1", "-1"),
        ("LOG_PERSONAL_DATA", "hide", "[possible values: keep, mask]"),
    ] {
        let output = smartai(dir.path(), &["serve"], &[(name, value)], None);

        assert_eq!(output.status.code(), Some(2), "{name}={value}");
        let err = stderr(&output);
        assert!(err.contains(name) && err.contains(problem), "{name}={value}: {err}");
    }
}

#[test]
fn help_lists_every_setting() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--help"][..], &["serve", "--help"][..]] {
        let help = String::from_utf8(smartai(dir.path(), args, &[], None).stdout).unwrap();
        for setting in [
            "DATABASE_URL",
            "DATA_DIR",
            "LISTEN_ADDR",
            "PUBLIC_URL",
            "LOG_FORMAT",
            "SESSION_IDLE_TIMEOUT",
            "AUDIT_RETENTION",
            "LOG_PERSONAL_DATA",
            "SMARTAI_CONFIG",
        ] {
            assert!(help.contains(setting), "`smartai {}` does not list {setting}", args.join(" "));
        }
    }
}

#[tokio::test]
async fn user_create_admin_makes_an_administrator() {
    let app = spawn_app(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();

    let output = smartai(
        dir.path(),
        &["user", "create", "--email", "Root@Example.com", "--admin", "--password-stdin"],
        &[("DATABASE_URL", &app.database_url)],
        Some(&format!("{PASSWORD}\n")),
    );

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("created admin account root@example.com"));
    let client = browser();
    assert_eq!(app.sign_in_with(&client, "root@example.com", PASSWORD).await.status(), 200);
    assert_eq!(app.me_with(&client).await["is_admin"], true);

    let weak = smartai(
        dir.path(),
        &["user", "create", "--email", "x@example.com", "--password-stdin"],
        &[("DATABASE_URL", &app.database_url)],
        Some("short\n"),
    );
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("password"), "{}", stderr(&weak));
}

#[tokio::test]
async fn keys_generate_rotate_and_a_missing_key_names_itself() {
    let app = spawn_app(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let db = ("DATABASE_URL", app.database_url.as_str());
    let created = smartai(
        dir.path(),
        &["user", "create", "--email", "root@example.com", "--admin", "--password-stdin"],
        &[db],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(created.status.success(), "{}", stderr(&created));

    let generated = smartai(dir.path(), &["keys", "generate"], &[], None);

    assert!(generated.status.success(), "{}", stderr(&generated));
    let line = String::from_utf8(generated.stdout).unwrap().trim().to_owned();
    let (id, key) = line.split_once(':').unwrap_or_else(|| panic!("not `id:base64`: {line}"));
    assert!(id.starts_with('k') && key.len() == 44, "{line}");

    // The new key first, the old one after it: the rotation says the old one is still needed.
    let both = format!("{line},{SECRET_KEYS}");
    let rotated = smartai(dir.path(), &["keys", "rotate"], &[db, ("SECRET_KEYS", &both)], None);
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    let out = String::from_utf8_lossy(&rotated.stdout).into_owned();
    assert!(out.contains(&format!("newest key {id}")), "{out}");
    assert!(
        out.contains("key test: 0 TOTP secrets, 0 recovery codes,") && out.contains("keep it in SECRET_KEYS"),
        "{out}"
    );
    let verified = smartai(dir.path(), &["audit", "verify"], &[db, ("SECRET_KEYS", &both)], None);
    assert!(verified.status.success(), "{}", stderr(&verified));

    // Without the old key, every command that opens the database refuses, naming it.
    for command in [&["audit", "verify"][..], &["keys", "rotate"][..]] {
        let refused = smartai(dir.path(), command, &[db, ("SECRET_KEYS", &line)], None);
        assert!(!refused.status.success(), "{command:?} ran without a key the data needs");
        let err = stderr(&refused);
        assert!(err.contains("SECRET_KEYS") && err.contains("`test`"), "{err}");
    }
    // Nor does a key leak into the output.
    assert!(!out.contains(key) && !out.contains("AAECAwQF"));
}

#[tokio::test]
async fn json_logs_carry_the_request_id() {
    use std::io::{BufRead, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_smartai"))
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("DATA_DIR", dir.path())
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("running at ").nth(1).map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        })
        .expect("the server announces its URL");

    let response =
        reqwest::Client::new().get(format!("{url}signin")).header("x-request-id", "req-json-42").send().await.unwrap();
    assert_eq!(response.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let logged: Vec<serde_json::Value> = lines
        .map_while(Result::ok)
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let request_line = logged
        .iter()
        .find(|entry| entry["span"]["request_id"] == "req-json-42")
        .unwrap_or_else(|| panic!("no log line names the request id: {logged:?}"));
    assert_eq!(request_line["span"]["path"], "/signin");
}

#[test]
fn a_bad_storage_url_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();

    let output = smartai(dir.path(), &["serve"], &[("STORAGE_URL", "ftp://files.example.com/x")], None);

    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("STORAGE_URL") && err.contains("ftp"), "{err}");
}

#[test]
fn files_go_under_the_data_folder_by_default() {
    let dir = tempfile::tempdir().unwrap();

    let output = smartai(dir.path(), &["migrate", "status"], &[], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = smartai(
        dir.path(),
        &["user", "create", "--email", "files@example.com", "--password-stdin"],
        &[],
        Some(&format!("{PASSWORD}\n")),
    );

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.path().join("objects").is_dir(), "DATA_DIR/objects was not created");
}

#[test]
fn storage_check_finds_and_fixes_orphan_objects() {
    let dir = tempfile::tempdir().unwrap();
    let clean = smartai(dir.path(), &["storage", "check"], &[], None);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert!(String::from_utf8_lossy(&clean.stdout).contains("storage is consistent"));
    let orphan = dir.path().join("objects/files/someone/left-behind");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"bytes without a row").unwrap();

    let found = smartai(dir.path(), &["storage", "check"], &[], None);

    assert!(!found.status.success(), "inconsistencies must fail the check");
    assert!(String::from_utf8_lossy(&found.stdout).contains("orphan object   files/someone/left-behind"));
    assert!(orphan.exists(), "a check without --fix changes nothing");
    let fixed = smartai(dir.path(), &["storage", "check", "--fix"], &[], None);
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    assert!(!orphan.exists());
}
