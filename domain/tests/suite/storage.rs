//! One storage contract, run against the local folder and a real S3 server (s3s-fs, started by
//! scripts/test; TEST_S3_ENDPOINT points elsewhere).

use std::io;

use bytes::Bytes;
use domain::storage::{Storage, StorageConfig, StorageError, StorageUrl};
use futures_util::{TryStreamExt, stream};

enum Backend {
    Local,
    S3,
}

struct Store {
    storage: Storage,
    _dir: tempfile::TempDir,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn open(backend: Backend) -> Store {
    let dir = tempfile::tempdir().unwrap();
    let config = match backend {
        Backend::Local => StorageConfig {
            url: Some(StorageUrl::Folder(dir.path().join("objects").display().to_string())),
            endpoint: None,
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
            presigned_downloads: false,
        },
        Backend::S3 => StorageConfig {
            // A fresh prefix per test keeps tests apart inside the one bucket.
            url: Some(StorageUrl::S3 {
                bucket: env_or("TEST_S3_BUCKET", "smartai-test"),
                prefix: Some(format!("test-{}", uuid::Uuid::new_v4().simple())),
            }),
            endpoint: Some(env_or("TEST_S3_ENDPOINT", "http://127.0.0.1:9000").parse().unwrap()),
            region: "us-east-1".into(),
            access_key_id: Some(env_or("TEST_S3_ACCESS_KEY_ID", "smartai")),
            secret_access_key: Some(env_or("TEST_S3_SECRET_ACCESS_KEY", "smartai-secret").into()),
            presigned_downloads: true,
        },
    };
    Store { storage: config.open(dir.path()).expect("storage opens"), _dir: dir }
}

fn chunks(data: &[u8], size: usize) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send + use<> {
    let parts: Vec<io::Result<Bytes>> = data.chunks(size).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    stream::iter(parts)
}

async fn read_all(storage: &Storage, key: &str) -> Result<Vec<u8>, StorageError> {
    let parts: Vec<Bytes> = storage.get(key, None).await?.try_collect().await?;
    Ok(parts.concat())
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(data))
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod local {
            $( #[tokio::test] async fn $name() { super::$name(super::Backend::Local).await } )*
        }
        mod s3 {
            $( #[tokio::test] async fn $name() { super::$name(super::Backend::S3).await } )*
        }
    };
}

contract!(
    a_stream_round_trips_with_its_size_and_hash,
    a_large_object_is_written_in_parts,
    an_object_over_the_limit_leaves_nothing,
    a_failing_upload_leaves_nothing,
    delete_is_idempotent_and_get_of_missing_is_not_found,
    list_returns_keys_under_a_prefix,
    writing_again_replaces_the_content,
    a_byte_range_reads_only_those_bytes,
);

async fn a_stream_round_trips_with_its_size_and_hash(backend: Backend) {
    let store = open(backend);
    let data = b"hello, object storage".repeat(100);

    let stored = store.storage.put_stream("docs/a.txt", chunks(&data, 7), 1 << 20).await.unwrap();

    assert_eq!(stored.size, data.len() as u64);
    assert_eq!(stored.sha256, sha256_hex(&data));
    assert_eq!(read_all(&store.storage, "docs/a.txt").await.unwrap(), data);
    assert_eq!(store.storage.size("docs/a.txt").await.unwrap(), Some(data.len() as u64));
}

async fn a_large_object_is_written_in_parts(backend: Backend) {
    let store = open(backend);
    let data: Vec<u8> = (0..12 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();

    let stored = store.storage.put_stream("big.bin", chunks(&data, 64 * 1024), 64 << 20).await.unwrap();

    assert_eq!(stored.size, data.len() as u64);
    assert_eq!(stored.sha256, sha256_hex(&data));
    let read = read_all(&store.storage, "big.bin").await.unwrap();
    assert!(read == data, "12 MiB came back different");
}

async fn an_object_over_the_limit_leaves_nothing(backend: Backend) {
    let store = open(backend);
    let data = vec![7u8; 300_000];

    let err = store.storage.put_stream("too/big.bin", chunks(&data, 10_000), 100_000).await.unwrap_err();

    assert!(matches!(err, StorageError::TooLarge { limit: 100_000 }), "{err:?}");
    assert_eq!(store.storage.size("too/big.bin").await.unwrap(), None);
    assert!(store.storage.list("too").await.unwrap().is_empty());
}

async fn a_failing_upload_leaves_nothing(backend: Backend) {
    let store = open(backend);
    let body = stream::iter(vec![Ok(Bytes::from_static(b"first part")), Err(io::Error::other("client went away"))]);

    let err = store.storage.put_stream("broken.txt", body, 1 << 20).await.unwrap_err();

    assert!(matches!(err, StorageError::Source(_)), "{err:?}");
    assert_eq!(store.storage.size("broken.txt").await.unwrap(), None);
}

async fn delete_is_idempotent_and_get_of_missing_is_not_found(backend: Backend) {
    let store = open(backend);
    store.storage.put_stream("gone.txt", chunks(b"bye", 3), 1024).await.unwrap();

    store.storage.delete("gone.txt").await.unwrap();
    store.storage.delete("gone.txt").await.unwrap();

    assert_eq!(store.storage.size("gone.txt").await.unwrap(), None);
    assert!(matches!(store.storage.get("gone.txt", None).await.map(|_| ()), Err(StorageError::NotFound)));
}

async fn list_returns_keys_under_a_prefix(backend: Backend) {
    let store = open(backend);
    for key in ["users/b/2", "users/a/1", "users/b/1", "other/x"] {
        store.storage.put_stream(key, chunks(key.as_bytes(), 4), 1024).await.unwrap();
    }

    assert_eq!(store.storage.list("users/b").await.unwrap(), vec!["users/b/1", "users/b/2"]);
    assert_eq!(store.storage.list("users").await.unwrap().len(), 3);
}

async fn writing_again_replaces_the_content(backend: Backend) {
    let store = open(backend);
    store.storage.put_stream("note.txt", chunks(b"first version", 5), 1024).await.unwrap();

    store.storage.put_stream("note.txt", chunks(b"second", 5), 1024).await.unwrap();

    assert_eq!(read_all(&store.storage, "note.txt").await.unwrap(), b"second");
}

async fn a_byte_range_reads_only_those_bytes(backend: Backend) {
    let store = open(backend);
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    store.storage.put_stream("range.bin", chunks(&data, 10_000), 1 << 20).await.unwrap();

    for range in [0..1, 1000..1010, 99_999..150_001, 199_000..200_000] {
        let parts: Vec<Bytes> =
            store.storage.get("range.bin", Some(range.clone())).await.unwrap().try_collect().await.unwrap();
        assert_eq!(parts.concat(), &data[range.start as usize..range.end as usize], "{range:?}");
    }
}

/// With presigned downloads on, the bucket itself serves the object at the signed URL, with the
/// name and type asked for; without, there is no URL.
#[tokio::test]
async fn s3_signs_download_urls_that_the_bucket_honours() {
    let store = open(Backend::S3);
    store.storage.put_stream("signed.txt", chunks(b"straight from the bucket", 8), 1024).await.unwrap();

    let url = store
        .storage
        .presigned_get("signed.txt", "attachment; filename=\"notes.txt\"", "text/plain")
        .await
        .unwrap()
        .expect("a presigned URL");
    let response = reqwest::get(url.as_str()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"straight from the bucket");

    let tampered = url.as_str().replace("signed.txt", "other.txt");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403, "the signature covers the key");

    let local = open(Backend::Local);
    local.storage.put_stream("x", chunks(b"x", 1), 16).await.unwrap();
    assert_eq!(local.storage.presigned_get("x", "attachment", "text/plain").await.unwrap(), None);
}
