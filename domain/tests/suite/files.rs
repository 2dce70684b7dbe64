//! The files service against a real database (a temp SQLite file, and a fresh PostgreSQL database
//! at TEST_DATABASE_URL) and a real local store.

use std::{io, time::Duration};

use bytes::Bytes;
use domain::{
    Actor, Error, Services,
    error::{Field, Problem},
    files::{FileInfo, ListQuery, SortBy},
    notifications::NotificationQuery,
    pagination::{Page, PageRequest, Paging, Total},
};
use futures_util::{TryStreamExt, stream};

use crate::harness::{Backend, body, peak_rss, sign_up_member, spawn_services};

struct TestFiles {
    services: Services,
    db: sea_orm::DatabaseConnection,
    _dir: tempfile::TempDir,
}

async fn spawn(backend: Backend, quota: &str) -> TestFiles {
    let app = spawn_services(backend, &["--files-max-size", "64KiB", "--files-quota", quota]).await;
    TestFiles { services: app.services, db: app.db, _dir: app.dir }
}

impl TestFiles {
    async fn user(&self) -> Actor {
        sign_up_member(&self.services).await
    }

    async fn list(&self, actor: &Actor) -> Vec<FileInfo> {
        self.services.files.list(actor, &ListQuery::default()).await.unwrap().items
    }

    async fn expire_share(&self, id: uuid::Uuid) {
        use domain::entities::file_share;
        use sea_orm::{ActiveModelTrait, Set};

        let past = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
        let share = file_share::ActiveModel { id: Set(id), expires_at: Set(past), ..Default::default() };
        share.update(&self.db).await.unwrap();
    }

    async fn stored_objects(&self) -> usize {
        self.services.storage.list("files").await.unwrap().len()
    }
}

fn refused(result: Result<impl std::fmt::Debug, Error>) -> (Field, Problem) {
    match result {
        Err(Error::Invalid { field, problem }) => (field, problem),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

crate::on_both_databases!(
    an_upload_is_stored_listed_and_read_back,
    the_type_comes_from_the_bytes_not_the_name,
    a_file_over_the_size_limit_is_refused_and_leaves_nothing,
    the_quota_counts_what_is_stored,
    other_users_get_not_found,
    rename_checks_the_name_and_delete_removes_the_bytes,
    the_list_searches_sorts_and_pages,
    share_links_work_until_revoked_or_expired,
    an_avatar_is_resized_and_replaces_the_previous_one,
    an_upload_is_processed_once_and_its_owner_notified,
    a_pdf_has_its_text_kept_for_search,
    a_corrupt_pdf_is_processed_without_text,
    a_file_whose_processing_fails_for_good_is_reported_to_its_owner_once,
    uploads_at_once_never_pass_the_quota,
    an_upload_with_a_key_that_made_a_file_gives_that_file_back,
);

async fn an_upload_is_stored_listed_and_read_back(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let text = "Minutes of the meeting.\n".repeat(200);

    let info = app.services.files.upload(&ada, "minutes.txt", body(text.as_bytes())).await.unwrap();

    assert_eq!(
        (info.name.as_str(), info.content_type.as_str(), info.size),
        ("minutes.txt", "text/plain", text.len() as u64)
    );
    assert_eq!(app.list(&ada).await, vec![info.clone()]);
    let download = app.services.files.download(&ada, info.id).await.unwrap();
    let read: Vec<Bytes> = download.bytes(None).await.unwrap().try_collect().await.unwrap();
    assert_eq!(read.concat(), text.as_bytes());
    let middle: Vec<Bytes> = download.bytes(Some(8..15)).await.unwrap().try_collect().await.unwrap();
    assert_eq!(middle.concat(), b"of the ");
    assert_eq!(app.services.files.usage(&ada).await.unwrap(), text.len() as u64);
}

/// What a retry meets after the process answering the first request died past its commit.
async fn an_upload_with_a_key_that_made_a_file_gives_that_file_back(backend: Backend) {
    use domain::entities::file;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let app = spawn(backend, "1MiB").await;
    let (ada, bob) = (app.user().await, app.user().await);
    let files = &app.services.files;
    let first = files.upload_once(&ada, Some("k-1"), "report.txt", body(b"first")).await.unwrap();
    // The body of the repeat is never read: a stream that fails if it is.
    let unread = stream::once(async { Err::<Bytes, _>(io::Error::other("the repeat's body was read")) });

    let again = files.upload_once(&ada, Some("k-1"), "report.txt", unread).await.unwrap();

    assert_eq!(again, first);
    let other_key = files.upload_once(&ada, Some("k-2"), "report.txt", body(b"second")).await.unwrap();
    let other_user = files.upload_once(&bob, Some("k-1"), "report.txt", body(b"bob's")).await.unwrap();
    assert_ne!(other_key.id, first.id);
    assert_ne!(other_user.id, first.id, "keys are per user");
    assert_eq!(app.list(&ada).await.len(), 2);
    assert_eq!(app.stored_objects().await, 3);

    // A key is remembered as long as the idempotency claim is (a day); after that it is new again.
    let day_ago = time::OffsetDateTime::now_utc() - domain::idempotency::KEEP_FOR - time::Duration::minutes(1);
    file::Entity::update_many()
        .col_expr(file::Column::CreatedAt, Expr::value(day_ago))
        .filter(file::Column::Id.eq(first.id))
        .exec(&app.db)
        .await
        .unwrap();
    let later = files.upload_once(&ada, Some("k-1"), "report.txt", body(b"a day later")).await.unwrap();
    assert_ne!(later.id, first.id);
}

async fn the_type_comes_from_the_bytes_not_the_name(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;

    let png =
        app.services.files.upload(&ada, "holiday.txt", body(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR rest")).await.unwrap();
    let exe =
        app.services.files.upload(&ada, "invoice.pdf", body(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0 payload")).await;

    assert_eq!(png.content_type, "image/png");
    assert_eq!(refused(exe), (Field::File, Problem::Unsupported));
    assert_eq!(app.list(&ada).await.len(), 1);
    assert_eq!(app.stored_objects().await, 1, "the refused file left bytes behind");
}

async fn a_file_over_the_size_limit_is_refused_and_leaves_nothing(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;

    let result = app.services.files.upload(&ada, "big.txt", body(&vec![b'a'; 70 * 1024])).await;

    assert_eq!(refused(result), (Field::File, Problem::TooLarge));
    assert!(app.list(&ada).await.is_empty());
    assert_eq!(app.stored_objects().await, 0);
}

async fn the_quota_counts_what_is_stored(backend: Backend) {
    let app = spawn(backend, "100KiB").await;
    let ada = app.user().await;
    let first = app.services.files.upload(&ada, "one.txt", body(&vec![b'a'; 60 * 1024])).await.unwrap();

    let second = app.services.files.upload(&ada, "two.txt", body(&vec![b'b'; 60 * 1024])).await;

    assert_eq!(refused(second), (Field::File, Problem::OverQuota));
    assert_eq!(app.list(&ada).await, vec![first.clone()], "what was stored before is untouched");
    app.services.files.delete(&ada, first.id).await.unwrap();
    app.services.files.upload(&ada, "two.txt", body(&vec![b'b'; 60 * 1024])).await.expect("room again after a delete");
}

async fn other_users_get_not_found(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let (ada, eve) = (app.user().await, app.user().await);
    let file = app.services.files.upload(&ada, "private.txt", body(b"secret plans")).await.unwrap();
    let files = &app.services.files;

    assert!(matches!(files.get(&eve, file.id).await, Err(Error::NotFound)));
    assert!(matches!(files.download(&eve, file.id).await.map(|_| ()), Err(Error::NotFound)));
    assert!(matches!(files.share(&eve, file.id, Duration::from_secs(3600)).await, Err(Error::NotFound)));
    assert!(matches!(files.rename(&eve, file.id, "mine.txt", None).await, Err(Error::NotFound)));
    assert!(matches!(files.delete(&eve, file.id).await, Err(Error::NotFound)));
    assert!(app.list(&eve).await.is_empty());
    assert!(matches!(files.list(&Actor::Anonymous, &ListQuery::default()).await, Err(Error::Unauthenticated)));
    assert_eq!(files.get(&ada, file.id).await.unwrap().name, "private.txt", "the owner's file is untouched");
}

async fn rename_checks_the_name_and_delete_removes_the_bytes(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let file = app.services.files.upload(&ada, "draft.md", body(b"# Draft")).await.unwrap();
    assert_eq!(file.content_type, "text/markdown");

    assert_eq!(
        refused(app.services.files.rename(&ada, file.id, "../etc/passwd", None).await),
        (Field::FileName, Problem::Malformed)
    );
    assert_eq!(
        refused(app.services.files.rename(&ada, file.id, "AUX.md", None).await),
        (Field::FileName, Problem::Reserved)
    );
    assert_eq!(app.services.files.rename(&ada, file.id, "final.md", None).await.unwrap().name, "final.md");

    app.services.files.delete(&ada, file.id).await.unwrap();
    assert!(matches!(app.services.files.get(&ada, file.id).await, Err(Error::NotFound)));
    assert_eq!(app.stored_objects().await, 0);
}

#[tokio::test]
async fn the_consistency_check_finds_and_fixes_orphans_both_ways() {
    let app = spawn(Backend::Sqlite, "1MiB").await;
    let ada = app.user().await;
    let kept = app.services.files.upload(&ada, "kept.txt", body(b"kept")).await.unwrap();
    let broken = app.services.files.upload(&ada, "broken.txt", body(b"bytes about to vanish")).await.unwrap();
    let broken_key = format!("files/{}/{}", ada.user_id().unwrap(), broken.id);
    app.services.storage.delete(&broken_key).await.unwrap();
    let orphan_key = "files/nobody/left-behind";
    app.services.storage.put_stream(orphan_key, body(b"crashed before its row"), 1024).await.unwrap();
    let orphan_avatar = "avatars/00000000-0000-4000-8000-000000000000/64.png";
    app.services
        .storage
        .put_stream(orphan_avatar, body(b"crashed before the account pointed here"), 1024)
        .await
        .unwrap();
    let bob = app.user().await;
    let avatar = app.services.avatars.set(&bob, body(&tiny_png())).await.unwrap();
    for size in domain::avatars::SIZES {
        app.services.storage.delete(&format!("avatars/{avatar}/{size}.png")).await.unwrap();
    }

    assert!(matches!(app.services.files.check(&ada, false).await, Err(Error::Forbidden)), "users may not run it");
    let report = app.services.files.check(&Actor::System, false).await.unwrap();
    assert_eq!(report.orphan_objects, vec![orphan_key.to_owned(), orphan_avatar.to_owned()]);
    assert_eq!(report.missing_objects, vec![(broken.id, broken_key)]);
    assert_eq!(report.missing_avatars, vec![bob.user_id().unwrap()]);
    assert_eq!(app.stored_objects().await, 2, "a check without --fix changes nothing");

    app.services.files.check(&Actor::System, true).await.unwrap();

    assert_eq!(app.services.files.check(&Actor::System, false).await.unwrap(), Default::default());
    assert_eq!(app.list(&ada).await, vec![kept]);
    assert_eq!(app.services.accounts.profile(&bob).await.unwrap().avatar_id, None, "no broken avatar left");
}

fn tiny_png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(8, 8).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn the_list_searches_sorts_and_pages(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    for (name, size) in
        [("Beta report.txt", 30), ("alpha notes.txt", 10), ("gamma_50%.txt", 20), ("Report final.md", 40)]
    {
        app.services.files.upload(&ada, name, body(&vec![b'x'; size])).await.unwrap();
    }
    let list = |query: ListQuery| {
        let (files, ada) = (app.services.files.clone(), ada.clone());
        async move { files.list(&ada, &query).await.unwrap() }
    };
    let names = |page: Page<FileInfo>| page.items.into_iter().map(|f| f.name).collect::<Vec<_>>();
    let sorted = |sort, descending| ListQuery { sort: Some(sort), descending, ..ListQuery::default() };

    let by_name = list(sorted(SortBy::Name, Some(false))).await;
    assert_eq!(names(by_name), ["alpha notes.txt", "Beta report.txt", "gamma_50%.txt", "Report final.md"]);
    let by_size = list(sorted(SortBy::Size, Some(true))).await;
    assert_eq!(names(by_size)[0], "Report final.md");
    // Each order has its own direction unless asked: names from A, sizes from the largest.
    assert_eq!(names(list(sorted(SortBy::Name, None)).await)[0], "alpha notes.txt");
    assert_eq!(names(list(sorted(SortBy::Size, None)).await)[0], "Report final.md");
    assert_eq!(names(list(ListQuery::default()).await)[0], "Report final.md", "newest first");

    let search = list(ListQuery { search: Some("REPORT".into()), ..sorted(SortBy::Name, Some(false)) }).await;
    assert_eq!(search.total.unwrap().items, 2);
    assert_eq!(names(search), ["Beta report.txt", "Report final.md"]);
    // LIKE's wildcards in the search are plain characters.
    assert_eq!(names(list(ListQuery { search: Some("_50%".into()), ..ListQuery::default() }).await), ["gamma_50%.txt"]);
    assert_eq!(list(ListQuery { search: Some("%".into()), ..ListQuery::default() }).await.total.unwrap().items, 1);

    let page = |n| ListQuery { paging: Paging::Offset { page: n, per_page: 3 }, ..sorted(SortBy::Name, Some(false)) };
    let first = list(page(1)).await;
    assert_eq!((first.items.len(), first.total, first.next), (3, Some(Total { items: 4, pages: 2 }), None));
    assert_eq!(app.services.files.usage(&ada).await.unwrap(), 100);
    assert_eq!(names(list(page(2)).await), ["Report final.md"]);
    assert!(list(page(3)).await.items.is_empty());

    // After a cursor: newest first, every file once, uncounted.
    let after =
        |cursor| ListQuery { paging: Paging::Cursor(PageRequest { after: cursor, limit: 3 }), ..ListQuery::default() };
    let first = list(after(None)).await;
    assert_eq!((first.items.len(), first.total), (3, None));
    let rest = list(after(first.next)).await;
    assert_eq!((rest.items.len(), rest.next), (1, None));
    assert_eq!(
        [names(first), names(rest)].concat(),
        ["Report final.md", "gamma_50%.txt", "alpha notes.txt", "Beta report.txt"]
    );
    // A cursor pages newest first only.
    let sorted_after = ListQuery { sort: Some(SortBy::Name), ..after(None) };
    assert!(matches!(app.services.files.list(&ada, &sorted_after).await, Err(Error::Unexpected(_))));
}

async fn share_links_work_until_revoked_or_expired(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let files = &app.services.files;
    let file = files.upload(&ada, "plan.txt", body(b"the plan")).await.unwrap();

    assert_eq!(
        refused(files.share(&ada, file.id, Duration::from_secs(31 * 24 * 3600)).await),
        (Field::ExpiresIn, Problem::TooLong)
    );
    let link = files.share(&ada, file.id, Duration::from_secs(3600)).await.unwrap();
    let shared = files.download_shared(&link.token).await.unwrap();
    let read: Vec<Bytes> = shared.bytes(None).await.unwrap().try_collect().await.unwrap();
    assert_eq!(read.concat(), b"the plan");
    assert_eq!(files.shares(&ada, file.id).await.unwrap(), vec![link.info.clone()]);
    assert!(matches!(files.download_shared("not-a-token").await, Err(Error::NotFound)));

    let eve = app.user().await;
    assert!(matches!(files.revoke_share(&eve, link.info.id).await, Err(Error::NotFound)), "only the owner revokes");
    files.revoke_share(&ada, link.info.id).await.unwrap();
    assert!(matches!(files.download_shared(&link.token).await, Err(Error::NotFound)));

    // An expired link: made valid for a minute, then its expiry moved into the past.
    let expiring = files.share(&ada, file.id, Duration::from_secs(60)).await.unwrap();
    app.expire_share(expiring.info.id).await;
    assert!(matches!(files.download_shared(&expiring.token).await, Err(Error::NotFound)));
    assert!(files.shares(&ada, file.id).await.unwrap().is_empty(), "expired links are not listed");
    assert_eq!(files.purge_expired_shares().await.unwrap(), 1);

    // Deleting the file ends its links.
    let again = files.share(&ada, file.id, Duration::from_secs(3600)).await.unwrap();
    files.delete(&ada, file.id).await.unwrap();
    assert!(matches!(files.download_shared(&again.token).await, Err(Error::NotFound)));
}

async fn an_avatar_is_resized_and_replaces_the_previous_one(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let avatars = &app.services.avatars;
    let photo = |w, h| {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(w, h).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    };

    let first = avatars.set(&ada, body(&photo(400, 300))).await.unwrap();
    let second = avatars.set(&ada, body(&photo(100, 100))).await.unwrap();

    let profile = app.services.accounts.profile(&ada).await.unwrap();
    assert_eq!(profile.avatar_id, Some(second));
    let small: Vec<Bytes> = avatars.image(second, 64).await.unwrap().try_collect().await.unwrap();
    let decoded = image::load_from_memory(&small.concat()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 64));
    assert!(matches!(avatars.image(first, 64).await.map(|_| ()), Err(Error::NotFound)), "the old images are removed");
    assert!(matches!(avatars.image(second, 100).await.map(|_| ()), Err(Error::NotFound)), "only fixed sizes");

    let refused_avatar = avatars.set(&ada, body(b"%PDF-1.7 not a photo")).await;
    assert_eq!(refused(refused_avatar), (Field::Avatar, Problem::Unsupported));
    assert_eq!(app.services.accounts.profile(&ada).await.unwrap().avatar_id, Some(second), "kept after a refusal");

    avatars.remove(&ada).await.unwrap();
    assert_eq!(app.services.accounts.profile(&ada).await.unwrap().avatar_id, None);
    assert!(app.services.storage.list("avatars").await.unwrap().is_empty());
}

async fn an_upload_is_processed_once_and_its_owner_notified(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    // Sign-up queued the e-mail confirming the address; out of the way.
    let welcome = app.services.jobs.claim("test", &["default".into()]).await.unwrap().unwrap();
    assert_eq!(welcome.kind, "mail.send");
    app.services.jobs.complete(&welcome).await.unwrap();
    let text = app.services.files.upload(&ada, "budget.txt", body(b"Budget: 42 euros.\n")).await.unwrap();
    let photo = app.services.files.upload(&ada, "photo.png", body(&tiny_png())).await.unwrap();

    // Each upload committed its processing job with its row.
    let queued = app.services.jobs.depth().await.unwrap();
    assert_eq!(queued.iter().map(domain::jobs::QueueDepth::waiting).sum::<u64>(), 2);
    let job = app.services.jobs.claim("test", &["default".into()]).await.unwrap().unwrap();
    assert_eq!(
        (job.kind.as_str(), job.payload["file_id"].as_str()),
        ("files.process", Some(text.id.to_string().as_str()))
    );

    // At least once: running it twice has the effect of once.
    for _ in 0..2 {
        app.services.files.process(text.id).await.unwrap();
        app.services.files.process(photo.id).await.unwrap();
    }

    let notifications = app.services.notifications.list(&ada, &NotificationQuery::latest(10)).await.unwrap().items;
    assert_eq!(notifications.len(), 2);
    assert!(notifications.iter().all(|n| n.kind == "file_processed" && !n.read));
    assert_eq!(app.services.notifications.unread(&ada).await.unwrap(), 2);
    assert_eq!(app.services.files.extracted_text(text.id).await.unwrap().as_deref(), Some("Budget: 42 euros.\n"));
    let thumbnail: Vec<Bytes> = app
        .services
        .storage
        .get(&domain::files::thumbnail_key(photo.id), None)
        .await
        .expect("a thumbnail")
        .try_collect()
        .await
        .unwrap();
    assert!(image::load_from_memory(&thumbnail.concat()).is_ok());

    app.services.notifications.mark_read(&ada, None).await.unwrap();
    assert_eq!(app.services.notifications.unread(&ada).await.unwrap(), 0);
    let eve = app.user().await;
    assert!(matches!(app.services.notifications.delete(&eve, notifications[0].id).await, Err(Error::NotFound)));
    app.services.files.delete(&ada, photo.id).await.unwrap();
    assert!(app.services.storage.list("derived").await.unwrap().iter().all(|k| !k.contains(&photo.id.to_string())));
}

/// A one-page PDF that shows `words` in Helvetica.
fn pdf_with_text(words: &str) -> Vec<u8> {
    pdf_showing(lopdf::Object::string_literal(words))
}

/// A one-page PDF whose text operator (`Tj`) shows `operand`: a string in a valid PDF.
fn pdf_showing(operand: lopdf::Object) -> Vec<u8> {
    use lopdf::{
        Document, Object, Stream,
        content::{Content, Operation},
        dictionary,
    };

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 24.into()]),
            Operation::new("Td", vec![72.into(), 700.into()]),
            Operation::new("Tj", vec![operand]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id });
    let pages = dictionary! {
        "Type" => "Pages",
        "Kids" => vec![page_id.into()],
        "Count" => 1,
        "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc.compress();
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    pdf
}

impl TestFiles {
    async fn processed_at(&self, id: uuid::Uuid) -> Option<time::OffsetDateTime> {
        use sea_orm::EntityTrait;

        domain::entities::file::Entity::find_by_id(id).one(&self.db).await.unwrap().unwrap().processed_at
    }
}

async fn a_pdf_has_its_text_kept_for_search(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let pdf = app
        .services
        .files
        .upload(&ada, "minutes.pdf", body(&pdf_with_text("Quarterly budget approved unanimously")))
        .await
        .unwrap();
    assert_eq!(pdf.content_type, "application/pdf");

    app.services.files.process(pdf.id).await.unwrap();

    let text = app.services.files.extracted_text(pdf.id).await.unwrap().expect("the PDF's text");
    for word in ["Quarterly", "budget", "approved", "unanimously"] {
        assert!(text.contains(word), "{word:?} missing from {text:?}");
    }
    assert!(app.processed_at(pdf.id).await.is_some());
    let notifications = app.services.notifications.list(&ada, &NotificationQuery::latest(10)).await.unwrap().items;
    assert_eq!(notifications.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["file_processed"]);
}

async fn a_corrupt_pdf_is_processed_without_text(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let mut garbage = b"%PDF-1.7\n".to_vec();
    garbage.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    // A number where text should be: pdf-extract panics on it.
    let panicking = pdf_showing(42.into());
    let mut pdfs = Vec::new();
    for (name, bytes) in [("broken.pdf", garbage), ("panicking.pdf", panicking)] {
        let pdf = app.services.files.upload(&ada, name, body(&bytes)).await.unwrap();
        assert_eq!(pdf.content_type, "application/pdf");
        pdfs.push(pdf.id);
    }

    for id in &pdfs {
        app.services.files.process(*id).await.expect("a PDF without readable text is no failure");
    }

    for id in pdfs {
        assert_eq!(app.services.files.extracted_text(id).await.unwrap(), None);
        assert!(app.processed_at(id).await.is_some());
    }
    let notifications = app.services.notifications.list(&ada, &NotificationQuery::latest(10)).await.unwrap().items;
    assert_eq!(notifications.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["file_processed"; 2]);
}

async fn a_file_whose_processing_fails_for_good_is_reported_to_its_owner_once(backend: Backend) {
    use domain::{
        files::ProcessUpload,
        jobs::{NewJob, Worker, WorkerOptions},
    };

    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let file = app.services.files.upload(&ada, "lost.txt", body(b"bytes about to vanish")).await.unwrap();
    // The upload's own job (five attempts) is set aside for one that fails for good at once.
    let jobs = &app.services.jobs;
    let upload_job = jobs.claim("test", &["default".into()]).await.unwrap().unwrap();
    jobs.complete(&upload_job).await.unwrap();
    app.services.storage.delete(&format!("files/{}/{}", ada.user_id().unwrap(), file.id)).await.unwrap();
    let job_id = jobs.enqueue(NewJob::of(&ProcessUpload { file_id: file.id }).max_attempts(1)).await.unwrap();

    let mut options = WorkerOptions::new(2);
    options.max_idle_poll = Duration::from_millis(50);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(Worker::new(jobs.clone(), app.services.handlers(), options).run(stopped));
    let mut notifications = Vec::new();
    for _ in 0..200 {
        notifications = app.services.notifications.list(&ada, &NotificationQuery::latest(10)).await.unwrap().items;
        if !notifications.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), worker).await.expect("the worker stops").unwrap();

    assert_eq!(notifications.len(), 1, "one notification: {notifications:?}");
    assert_eq!(notifications[0].kind, "file_failed");
    assert_eq!(notifications[0].params, serde_json::json!({ "name": "lost.txt", "file_id": file.id }));
    assert!(app.processed_at(file.id).await.is_some());
    let dead = jobs.dead().await.unwrap();
    assert_eq!(dead.iter().map(|j| (j.id, j.kind.as_str())).collect::<Vec<_>>(), [(job_id, "files.process")]);
    // Exactly once: the callback or the job running again changes nothing.
    app.services.files.processing_failed(file.id).await.unwrap();
    app.services.files.process(file.id).await.unwrap();
    assert_eq!(app.services.notifications.list(&ada, &NotificationQuery::latest(10)).await.unwrap().items.len(), 1);
}

/// Finding 7 of issue 15: the quota was read, then spent by a separate insert, so uploads at once
/// all saw room. Now exactly the files that fit are stored, and the usage is their sum.
async fn uploads_at_once_never_pass_the_quota(backend: Backend) {
    let app = spawn(backend, "100KiB").await;
    let ada = app.user().await;

    let uploads: Vec<_> = (0..10)
        .map(|i| {
            let (files, ada) = (app.services.files.clone(), ada.clone());
            tokio::spawn(
                async move { files.upload(&ada, &format!("part-{i}.txt"), body(&vec![b'a'; 30 * 1024])).await },
            )
        })
        .collect();
    let mut stored = 0;
    for upload in uploads {
        match upload.await.unwrap() {
            Ok(_) => stored += 1,
            refusal => assert_eq!(refused(refusal), (Field::File, Problem::OverQuota)),
        }
    }

    assert_eq!(stored, 3, "100 KiB holds three files of 30 KiB");
    let listed = app.list(&ada).await;
    assert_eq!(listed.len(), 3);
    let sum: u64 = listed.iter().map(|f| f.size).sum();
    assert_eq!(app.services.files.usage(&ada).await.unwrap(), sum);
    assert_eq!(sum, 3 * 30 * 1024);
    assert_eq!(app.stored_objects().await, 3, "the refused uploads left no bytes");
    // A delete gives its bytes back, once.
    app.services.files.delete(&ada, listed[0].id).await.unwrap();
    assert_eq!(app.services.files.usage(&ada).await.unwrap(), 2 * 30 * 1024);
}

// ---------------------------------------------------------------------------------------------
// Decompression bombs (finding 2 of issue 15)
// ---------------------------------------------------------------------------------------------

/// One step of a deflate stream: all of `input` in, then `flush`.
fn deflate_step(deflate: &mut flate2::Compress, input: &[u8], flush: flate2::FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 16);
    let mut fed = 0;
    loop {
        if out.capacity() - out.len() < 4096 {
            out.reserve(1 << 16);
        }
        let before = deflate.total_in();
        let status = deflate.compress_vec(&input[fed..], &mut out, flush).unwrap();
        fed += usize::try_from(deflate.total_in() - before).unwrap();
        if status == flate2::Status::StreamEnd || fed == input.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

/// `mebibytes` MiB of zeros as a zlib stream, made without ever holding them: after the first
/// mebibyte the window holds only zeros, so every further mebibyte (flushed to a byte boundary)
/// deflates to the same bytes; those are repeated and the checksum computed (Adler-32 of n zeros
/// is `(n mod 65521) << 16 | 1`).
fn zlib_of_zeros(mebibytes: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};

    let chunk = vec![0u8; 1 << 20];
    let mut deflate = Compress::new(Compression::best(), false);
    let first = deflate_step(&mut deflate, &chunk, FlushCompress::Sync);
    let repeated = deflate_step(&mut deflate, &chunk, FlushCompress::Sync);
    assert_eq!(deflate_step(&mut deflate, &chunk, FlushCompress::Sync), repeated, "a mebibyte of zeros deflates alike");
    let end = deflate_step(&mut deflate, &[], FlushCompress::Finish);
    let mut zlib = vec![0x78, 0xDA];
    zlib.extend_from_slice(&first);
    for _ in 1..mebibytes {
        zlib.extend_from_slice(&repeated);
    }
    zlib.extend_from_slice(&end);
    let adler = (((mebibytes << 20) % 65521) << 16 | 1) as u32;
    zlib.extend_from_slice(&adler.to_be_bytes());
    zlib
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;

    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// The attack of the review: a one-page PDF whose content stream is 2 GiB of zeros behind two
/// nested FlateDecode filters, a few KiB on disk.
fn pdf_bomb() -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};

    let payload = zlib(&zlib_of_zeros(2048));
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let filters = vec![Object::Name(b"FlateDecode".to_vec()), Object::Name(b"FlateDecode".to_vec())];
    let content_id = doc.add_object(Stream::new(dictionary! { "Filter" => filters }, payload));
    let page_id = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id });
    let pages = dictionary! {
        "Type" => "Pages",
        "Kids" => vec![page_id.into()],
        "Count" => 1,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    pdf
}

#[test]
fn zeros_deflated_by_repetition_inflate_to_zeros() {
    use std::io::Read;

    let mut inflated = Vec::new();
    flate2::read::ZlibDecoder::new(zlib_of_zeros(5).as_slice()).read_to_end(&mut inflated).unwrap();
    assert_eq!(inflated.len(), 5 << 20);
    assert!(inflated.iter().all(|b| *b == 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_bomb_is_refused_for_good_and_its_owner_told() {
    use domain::jobs::{Worker, WorkerOptions};

    let app = spawn(Backend::Sqlite, "1MiB").await;
    let ada = app.user().await;
    let bomb = pdf_bomb();
    assert!(bomb.len() < 16 << 10, "a few KiB: {}", bomb.len());
    let before = peak_rss();

    let file = app.services.files.upload(&ada, "report.pdf", body(&bomb)).await.unwrap();
    assert_eq!(file.content_type, "application/pdf");
    let mut options = WorkerOptions::new(2);
    options.max_idle_poll = Duration::from_millis(50);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let jobs = &app.services.jobs;
    let worker = tokio::spawn(Worker::new(jobs.clone(), app.services.handlers(), options).run(stopped));
    let mut dead = Vec::new();
    for _ in 0..1200 {
        dead = jobs.dead().await.unwrap();
        if dead.iter().any(|j| j.kind == "files.process") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(30), worker).await.expect("the worker stops").unwrap();

    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 200 << 20, "the bomb raised this process's peak memory by {} MiB", grown >> 20);
    let buried: Vec<_> = dead.iter().filter(|j| j.kind == "files.process").collect();
    assert_eq!(buried.len(), 1, "the job is dead: {dead:?}");
    assert_eq!(buried[0].attempts, 1, "buried at its first attempt, not retried");
    assert!(buried[0].last_error.as_deref().unwrap_or_default().contains("too large"), "{:?}", buried[0].last_error);
    let notifications = app.services.notifications.list(&ada, &NotificationQuery::latest(10)).await.unwrap().items;
    assert_eq!(notifications.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["file_refused"]);
    assert_eq!(notifications[0].params, serde_json::json!({ "name": "report.pdf", "file_id": file.id }));
    assert!(app.processed_at(file.id).await.is_some());
    assert_eq!(app.services.files.extracted_text(file.id).await.unwrap(), None);
    // Running it again (a redelivery, the dead-job callback) tells nobody twice.
    app.services.files.processing_failed(file.id).await.unwrap();
    app.services.files.process(file.id).await.unwrap();
    assert_eq!(app.services.notifications.list(&ada, &NotificationQuery::latest(10)).await.unwrap().items.len(), 1);
    // The file itself is kept, and a normal PDF next to it still gets its text.
    assert_eq!(app.services.files.get(&ada, file.id).await.unwrap().size, bomb.len() as u64);
    let normal = app.services.files.upload(&ada, "minutes.pdf", body(&pdf_with_text("Budget approved"))).await.unwrap();
    app.services.files.process(normal.id).await.unwrap();
    let text = app.services.files.extracted_text(normal.id).await.unwrap().expect("the normal PDF's text");
    assert!(text.contains("Budget approved"), "{text:?}");
}

/// A PNG that claims 100000 x 100000 pixels (30 GB decoded) in a few bytes.
fn png_bomb() -> Vec<u8> {
    fn chunk(png: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&100_000u32.to_be_bytes());
    header.extend_from_slice(&100_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib_of_zeros(4));
    chunk(&mut png, b"IEND", &[]);
    png
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_bomb_gets_no_thumbnail_and_costs_no_memory() {
    let app = spawn(Backend::Sqlite, "1MiB").await;
    let ada = app.user().await;
    let before = peak_rss();

    let photo = app.services.files.upload(&ada, "huge.png", body(&png_bomb())).await.unwrap();
    assert_eq!(photo.content_type, "image/png");
    app.services.files.process(photo.id).await.expect("an image without a thumbnail is no failure");

    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 200 << 20, "the image raised this process's peak memory by {} MiB", grown >> 20);
    assert!(app.processed_at(photo.id).await.is_some());
    let thumbnail = app.services.storage.get(&domain::files::thumbnail_key(photo.id), None).await;
    assert!(thumbnail.is_err(), "no thumbnail of a bomb");
}
