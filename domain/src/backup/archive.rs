//! The archive: one `.tar.gz` holding `tables/NAME.jsonl` (one JSON object a row), optionally
//! `objects/KEY` (the stored bytes), and `manifest.json` last, since it carries the checksums of
//! everything before it. Writing and reading run on blocking threads: gzip and disk I/O would
//! otherwise stall the runtime that also serves requests.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{self, BufWriter, Read, Write},
    path::{Path, PathBuf},
};

use anyhow::Context;
use flate2::{Compression, read::GzDecoder, write::GzEncoder};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped when the layout changes in a way an older reader would misread.
pub const FORMAT: u32 = 1;

pub(crate) const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The version of smartai that wrote it.
    pub app_version: String,
    /// RFC 3339.
    pub created_at: String,
    /// `sqlite` or `postgres`: where the rows came from.
    pub source: String,
    /// The migrations applied to the database it came from: its schema version.
    pub migrations: Vec<String>,
    pub tables: Vec<TableEntry>,
    /// Whether `objects/` holds the objects' bytes, or only this list describes them.
    pub objects_included: bool,
    pub objects: Vec<ObjectEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectEntry {
    pub key: String,
    pub size: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn object_bytes(&self) -> u64 {
        self.objects.iter().map(|o| o.size).sum()
    }
}

/// A writer that hashes and counts what passes through it.
pub(crate) struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
    lines: u64,
}

impl<W: Write> Hashing<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self { inner, hasher: Sha256::new(), bytes: 0, lines: 0 }
    }

    /// The inner writer, the byte count, the newline count and the hex SHA-256.
    pub(crate) fn finish(self) -> (W, u64, u64, String) {
        (self.inner, self.bytes, self.lines, format!("{:x}", self.hasher.finalize()))
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type Builder = tar::Builder<GzEncoder<BufWriter<File>>>;

pub(crate) struct ArchiveWriter {
    builder: Option<Builder>,
}

impl ArchiveWriter {
    pub(crate) fn create(path: &Path) -> anyhow::Result<Self> {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut builder = tar::Builder::new(GzEncoder::new(BufWriter::new(file), Compression::default()));
        builder.mode(tar::HeaderMode::Deterministic);
        Ok(Self { builder: Some(builder) })
    }

    async fn with_builder(
        &mut self,
        work: impl FnOnce(&mut Builder) -> io::Result<()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let mut builder = self.builder.take().context("the archive writer failed earlier")?;
        let builder = tokio::task::spawn_blocking(move || work(&mut builder).map(|()| builder))
            .await
            .context("the archive writer panicked")?
            .context("writing the archive failed")?;
        self.builder = Some(builder);
        Ok(())
    }

    /// Adds the file at `path` under `name`.
    pub(crate) async fn append_file(&mut self, name: String, path: PathBuf) -> anyhow::Result<()> {
        self.with_builder(move |builder| {
            let mut file = File::open(&path)?;
            builder.append_file(name, &mut file)
        })
        .await
    }

    pub(crate) async fn append_bytes(&mut self, name: String, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.with_builder(move |builder| {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, bytes.as_slice())
        })
        .await
    }

    pub(crate) async fn finish(mut self) -> anyhow::Result<()> {
        let builder = self.builder.take().context("the archive writer failed earlier")?;
        tokio::task::spawn_blocking(move || -> io::Result<()> {
            let mut file = builder.into_inner()?.finish()?;
            file.flush()?;
            file.get_ref().sync_all()
        })
        .await
        .context("the archive writer panicked")?
        .context("finishing the archive failed")
    }
}

/// An archive taken apart into a folder, with what was found in it.
pub(crate) struct Unpacked {
    pub manifest: Manifest,
    /// Table name → its file, bytes, lines and SHA-256 as found.
    pub tables: BTreeMap<String, (PathBuf, u64, u64, String)>,
    /// Object key → its file, size and SHA-256 as found.
    pub objects: BTreeMap<String, (PathBuf, u64, String)>,
    /// Everything that does not match the manifest.
    pub problems: Vec<String>,
}

/// Unpacks `archive` into `into`, checking every entry against the manifest. An archive that is
/// not a readable `.tar.gz` or has no readable manifest is an error; mismatches are `problems`.
pub(crate) async fn unpack(archive: PathBuf, into: PathBuf) -> anyhow::Result<Unpacked> {
    tokio::task::spawn_blocking(move || unpack_blocking(&archive, &into))
        .await
        .context("reading the archive panicked")?
}

fn unpack_blocking(archive: &Path, into: &Path) -> anyhow::Result<Unpacked> {
    let file = File::open(archive).with_context(|| format!("cannot open {}", archive.display()))?;
    let mut tar = tar::Archive::new(GzDecoder::new(file));
    let not_readable = |e: io::Error| anyhow::anyhow!("not a readable .tar.gz backup archive ({e})");
    std::fs::create_dir_all(into.join("tables"))?;
    std::fs::create_dir_all(into.join("objects"))?;
    let mut manifest = None;
    let mut tables = BTreeMap::new();
    let mut objects = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in tar.entries().map_err(not_readable)? {
        let mut entry = entry.map_err(not_readable)?;
        let name = entry.path().map_err(not_readable)?.to_string_lossy().into_owned();
        if name == MANIFEST {
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(not_readable)?;
            manifest = Some(serde_json::from_str::<Manifest>(&text).context("manifest.json is not a backup manifest")?);
        } else if let Some(table) = name.strip_prefix("tables/").and_then(|n| n.strip_suffix(".jsonl")) {
            if table.is_empty() || !table.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                problems.push(format!("unexpected entry {name}"));
                continue;
            }
            let path = into.join("tables").join(format!("{table}.jsonl"));
            let (bytes, lines, sha256) = copy_hashing(&mut entry, &path).map_err(not_readable)?;
            tables.insert(table.to_owned(), (path, bytes, lines, sha256));
        } else if let Some(key) = name.strip_prefix("objects/").filter(|k| !k.is_empty()) {
            // Keys never become paths: an archive cannot write outside `into`.
            let path = into.join("objects").join(objects.len().to_string());
            let (size, _, sha256) = copy_hashing(&mut entry, &path).map_err(not_readable)?;
            objects.insert(key.to_owned(), (path, size, sha256));
        } else {
            problems.push(format!("unexpected entry {name}"));
        }
    }
    let manifest = manifest.context("the archive has no manifest.json (not a backup archive, or cut short)")?;
    if manifest.format > FORMAT {
        anyhow::bail!(
            "the archive's format {} is newer than this version of smartai reads ({FORMAT}); upgrade smartai",
            manifest.format
        );
    }
    check(&manifest, &tables, &objects, &mut problems);
    Ok(Unpacked { manifest, tables, objects, problems })
}

fn check(
    manifest: &Manifest,
    tables: &BTreeMap<String, (PathBuf, u64, u64, String)>,
    objects: &BTreeMap<String, (PathBuf, u64, String)>,
    problems: &mut Vec<String>,
) {
    for table in &manifest.tables {
        match tables.get(&table.name) {
            None => problems.push(format!("table {}: its file is missing from the archive", table.name)),
            Some((_, bytes, lines, sha256)) => {
                if *sha256 != table.sha256 || *bytes != table.bytes {
                    problems.push(format!(
                        "table {}: checksum mismatch (sha256 {sha256}, the manifest says {})",
                        table.name, table.sha256
                    ));
                } else if *lines != table.rows {
                    problems.push(format!("table {}: {lines} rows, the manifest says {}", table.name, table.rows));
                }
            }
        }
    }
    for name in tables.keys() {
        if !manifest.tables.iter().any(|t| &t.name == name) {
            problems.push(format!("table {name}: in the archive but not in its manifest"));
        }
    }
    if manifest.objects_included {
        for object in &manifest.objects {
            match objects.get(&object.key) {
                None => problems.push(format!("object {}: missing from the archive", object.key)),
                Some((_, size, sha256)) if *sha256 != object.sha256 || *size != object.size => problems.push(format!(
                    "object {}: checksum mismatch in the archive (sha256 {sha256}, the manifest says {})",
                    object.key, object.sha256
                )),
                Some(_) => {}
            }
        }
    }
    for key in objects.keys() {
        if !manifest.objects.iter().any(|o| &o.key == key) {
            problems.push(format!("object {key}: in the archive but not in its manifest"));
        }
    }
}

fn copy_hashing(from: &mut impl Read, to: &Path) -> io::Result<(u64, u64, String)> {
    let mut writer = Hashing::new(BufWriter::new(File::create(to)?));
    io::copy(from, &mut writer)?;
    let (mut file, bytes, lines, sha256) = writer.finish();
    file.flush()?;
    Ok((bytes, lines, sha256))
}
