//! Finding the passages that best answer a question: BM25 (tantivy) over the asking user's
//! passages, plus the platform's help pages.
//!
//! The database is the source of truth. A user's index is built in RAM from their passages when
//! first needed and kept in a small cache, keyed by (count, largest id) of their passages: one
//! cheap query per question tells whether a worker process added or removed passages since, so
//! the web process never answers from a stale index and no process needs to tell another.
//!
//! A user's index holds the help pages' passages too: BM25 scores are only comparable within one
//! index (a word's weight depends on the whole collection), and a user's three passages must be
//! ranked against the help pages on equal terms. Users without passages share one help index.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Expr},
};
use tantivy::{
    Index, IndexReader, ReloadPolicy, TantivyDocument,
    collector::TopDocs,
    query::QueryParser,
    schema::{Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value},
    tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, TokenStream,
    },
};
use uuid::Uuid;

use super::{Passage, Source, chunking, help};
use crate::entities::{file, passage};

/// Users whose index is kept between questions; the least recently asking one makes room.
const CACHED_USERS: usize = 32;
/// Passages of one user held in an index, newest first: at most 1200 characters each
/// ([`chunking::MAX_CHARS`]), so about 6 MiB of text (and its postings) per user, and about
/// 200 MiB for the whole cache at [`CACHED_USERS`], however many files someone uploads. Passages
/// beyond it (the oldest files' text) are not searched. 5000 passages is the text of about a
/// thousand pages.
pub const INDEXED_PASSAGES: u64 = 5000;
/// Characters of a passage shown as its source's snippet.
const SNIPPET_CHARS: usize = 200;
const ANALYZER: &str = "assistant";
/// tantivy's smallest indexing budget (it is not exported): these indexes are small.
const WRITER_BUDGET: usize = 15_000_000;

/// Words that say what kind of question it is, not what it is about. Lucene's English list
/// (tantivy's) leaves out question words and pronouns, which every question has.
const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "please", "she", "should", "so",
    "such", "tell", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "us",
    "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you",
    "your",
];

/// Lower-cased, stop words removed, English stems: how questions and passages are compared.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|w| (*w).to_owned())))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The terms of `text` as the index sees them (for ranking sentences within a passage).
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

/// What one indexed passage is about and where it leads.
#[derive(Debug, Clone)]
struct Entry {
    file_id: Option<Uuid>,
    title: String,
    url: String,
    text: String,
}

/// An index over some passages, searched by BM25 on their text and (less) their title.
struct SearchIndex {
    index: Index,
    reader: IndexReader,
    text: Field,
    title: Field,
    slot: Field,
    entries: Vec<Entry>,
}

impl SearchIndex {
    fn build(entries: Vec<Entry>) -> tantivy::Result<Self> {
        let mut schema = Schema::builder();
        let indexed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs),
        );
        let text = schema.add_text_field("text", indexed.clone());
        let title = schema.add_text_field("title", indexed);
        let slot = schema.add_u64_field("slot", STORED);
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(ANALYZER, analyzer());
        // One thread with the smallest budget: these indexes are small, and the machine serves
        // requests meanwhile.
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, WRITER_BUDGET)?;
        for (n, entry) in entries.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(text, &entry.text);
            doc.add_text(title, &entry.title);
            doc.add_u64(slot, n as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { index, reader, text, title, slot, entries })
    }

    fn search(&self, question: &str, limit: usize) -> tantivy::Result<Vec<(f32, &Entry)>> {
        // A question of stop words alone would parse to a query matching everything.
        if self.entries.is_empty() || terms(question).is_empty() {
            return Ok(Vec::new());
        }
        // Only words: a question's `:`, `-` or quotes are not query syntax.
        let words: String = question.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        let mut parser = QueryParser::for_index(&self.index, vec![self.text, self.title]);
        parser.set_field_boost(self.title, 0.5);
        let (query, _) = parser.parse_query_lenient(&words);
        let searcher = self.reader.searcher();
        let hits = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut found = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let doc: TantivyDocument = searcher.doc(address)?;
            let slot = doc.get_first(self.slot).and_then(|v| v.as_u64());
            if let Some(entry) = slot.and_then(|s| self.entries.get(usize::try_from(s).ok()?)) {
                found.push((score, entry));
            }
        }
        Ok(found)
    }
}

/// The help pages' passages, indexed once per process (for users without passages of their own).
static HELP: LazyLock<Arc<SearchIndex>> =
    LazyLock::new(|| Arc::new(SearchIndex::build(help_entries()).expect("the help pages can be indexed in RAM")));

fn help_entries() -> Vec<Entry> {
    help::PAGES
        .iter()
        .flat_map(|page| {
            let title = page.title().to_owned();
            chunking::passages(page.markdown).into_iter().map(move |text| Entry {
                file_id: None,
                title: title.clone(),
                url: format!("/help/{}", page.slug),
                text,
            })
        })
        .collect()
}

/// Changes whenever the user's passages do: their count and largest id (ids only grow).
type Staleness = (i64, Option<i64>);

struct Cached {
    staleness: Staleness,
    index: Arc<SearchIndex>,
    last_used: u64,
}

#[derive(Default)]
struct Cache {
    users: HashMap<Uuid, Cached>,
    clock: u64,
}

#[derive(Clone)]
pub struct Retriever {
    db: DatabaseConnection,
    cache: Arc<Mutex<Cache>>,
}

impl Retriever {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, cache: Arc::default() }
    }

    /// The `limit` passages that best match `question`, best first, from `owner`'s files and the
    /// help pages only.
    pub async fn search(&self, owner: Uuid, question: &str, limit: usize) -> anyhow::Result<Vec<Passage>> {
        let index = self.index_of(owner).await?;
        let question = question.to_owned();
        // BM25 over a few thousand passages is CPU work: off the async threads.
        let hits = crate::heavy::run(move || -> tantivy::Result<Vec<(f32, Entry)>> {
            Ok(index.search(&question, limit)?.into_iter().map(|(s, e)| (s, e.clone())).collect())
        })
        .await??;
        // Names come from the database now: a file renamed since the index was built shows its
        // new name, and one deleted meanwhile is not cited at all.
        let file_ids: Vec<Uuid> = hits.iter().filter_map(|(_, e)| e.file_id).collect();
        let names: HashMap<Uuid, String> = if file_ids.is_empty() {
            HashMap::new()
        } else {
            file::Entity::find()
                .filter(file::Column::Id.is_in(file_ids))
                .filter(file::Column::OwnerId.eq(owner))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|f| (f.id, f.name))
                .collect()
        };
        Ok(hits
            .into_iter()
            .filter_map(|(_, entry)| {
                let title = match entry.file_id {
                    Some(id) => names.get(&id)?.clone(),
                    None => entry.title,
                };
                Some(Passage {
                    source: Source { file_id: entry.file_id, title, url: entry.url, snippet: snippet(&entry.text) },
                    text: entry.text,
                })
            })
            .collect())
    }

    async fn index_of(&self, owner: Uuid) -> anyhow::Result<Arc<SearchIndex>> {
        let staleness = self.staleness(owner).await?;
        if staleness.0 == 0 {
            self.cache.lock().expect("the index cache is never poisoned").users.remove(&owner);
            return Ok(HELP.clone());
        }
        {
            let mut cache = self.cache.lock().expect("the index cache is never poisoned");
            cache.clock += 1;
            let now = cache.clock;
            if let Some(cached) = cache.users.get_mut(&owner).filter(|c| c.staleness == staleness) {
                cached.last_used = now;
                return Ok(cached.index.clone());
            }
        }
        let rows = passage::Entity::find()
            .filter(passage::Column::OwnerId.eq(owner))
            .order_by_desc(passage::Column::Id)
            .limit(INDEXED_PASSAGES)
            .all(&self.db)
            .await?;
        let names: HashMap<Uuid, String> = file::Entity::find()
            .filter(file::Column::OwnerId.eq(owner))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
        let entries: Vec<Entry> = rows
            .into_iter()
            .map(|p| Entry {
                file_id: Some(p.file_id),
                // Ranks by the name it had when the index was built; the source shows today's.
                title: names.get(&p.file_id).cloned().unwrap_or_default(),
                url: format!("/files/{}", p.file_id),
                text: p.text,
            })
            .chain(help_entries())
            .collect();
        let index = Arc::new(crate::heavy::run(move || SearchIndex::build(entries)).await??);
        let mut cache = self.cache.lock().expect("the index cache is never poisoned");
        if cache.users.len() >= CACHED_USERS
            && !cache.users.contains_key(&owner)
            && let Some(oldest) = cache.users.iter().min_by_key(|(_, c)| c.last_used).map(|(id, _)| *id)
        {
            cache.users.remove(&oldest);
        }
        let last_used = cache.clock;
        cache.users.insert(owner, Cached { staleness, index: index.clone(), last_used });
        Ok(index)
    }

    async fn staleness(&self, owner: Uuid) -> anyhow::Result<Staleness> {
        let row: Option<(i64, Option<i64>)> = passage::Entity::find()
            .select_only()
            // Casts keep one answer type on both databases (PostgreSQL counts in BIGINT already).
            .column_as(Expr::col(passage::Column::Id).count().cast_as(Alias::new("BIGINT")), "count")
            .column_as(Expr::col(passage::Column::Id).max(), "max")
            .filter(passage::Column::OwnerId.eq(owner))
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(row.unwrap_or((0, None)))
    }
}

/// The start of a passage, cut at a word, for showing beside a source.
fn snippet(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= SNIPPET_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(SNIPPET_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str, text: &str) -> Entry {
        Entry { file_id: Some(Uuid::now_v7()), title: title.into(), url: format!("/files/{title}"), text: text.into() }
    }

    fn corpus() -> SearchIndex {
        SearchIndex::build(vec![
            entry("budget", "The marketing budget for 2027 is 42,000 euros, approved by the board in March."),
            entry("holidays", "Employees receive 28 days of paid holiday per year; unused days expire in April."),
            entry("kitchen", "The office kitchen is cleaned on Fridays. Please label food you keep in the fridge."),
            entry("servers", "Our production servers run in Frankfurt. Backups are copied nightly to Dublin."),
            entry("onboarding", "New starters meet their mentor on the first day and get a laptop from IT."),
            entry("travel", "Train travel is preferred for trips under 600 km; flights need a manager's approval."),
        ])
        .unwrap()
    }

    fn best(index: &SearchIndex, question: &str) -> String {
        index.search(question, 3).unwrap().first().map(|(_, e)| e.title.clone()).unwrap_or_default()
    }

    /// How retrieval quality is checked: each question's right passage must rank first, with
    /// words that differ in form (plural, tense) from the passage's.
    #[test]
    fn the_right_passage_ranks_first() {
        let index = corpus();
        for (question, expected) in [
            ("How much is the marketing budget?", "budget"),
            ("How many holidays do employees get?", "holidays"),
            ("When is the kitchen cleaned?", "kitchen"),
            ("Where are the backups copied?", "servers"),
            ("Who approves flights?", "travel"),
            ("What do new starters get on their first day?", "onboarding"),
        ] {
            assert_eq!(best(&index, question), expected, "{question}");
        }
    }

    /// A user's passage about a password must beat the help pages' many mentions of passwords,
    /// and a question about the platform must still reach its help page.
    #[test]
    fn a_users_passages_and_the_help_pages_rank_on_equal_terms() {
        let mut entries =
            vec![entry("handbook.txt", "The office wifi network is called Heron and its password is BlueHeron42.")];
        entries.extend(help_entries());
        let index = SearchIndex::build(entries).unwrap();
        let first = |q: &str| index.search(q, 1).unwrap()[0].1.url.clone();
        assert_eq!(first("What is the wifi password?"), "/files/handbook.txt");
        assert_eq!(first("How long does a share link work?"), "/help/sharing");
        assert_eq!(first("How do I reset my password?"), "/help/notifications");
    }

    #[test]
    fn stop_words_alone_match_nothing() {
        assert!(corpus().search("what is the", 3).unwrap().is_empty());
        assert!(corpus().search("", 3).unwrap().is_empty());
    }

    #[test]
    fn query_syntax_in_a_question_is_just_words() {
        assert_eq!(best(&corpus(), "title:budget -marketing \"budget"), "budget");
    }

    #[test]
    fn the_help_pages_answer_questions_about_the_platform() {
        let url = |q: &str| HELP.search(q, 1).unwrap().first().map(|(_, e)| e.url.clone()).unwrap_or_default();
        assert_eq!(url("How long does a share link work?"), "/help/sharing");
        assert_eq!(url("What are recovery codes?"), "/help/two-factor-and-passkeys");
        assert_eq!(url("Which scopes can an API token have?"), "/help/api-tokens");
        assert_eq!(url("What file types can I upload?"), "/help/files");
    }

    #[test]
    fn terms_are_stemmed_without_stop_words() {
        assert_eq!(terms("The budgets were approved"), vec!["budget", "approv"]);
    }

    #[test]
    fn snippets_are_short_and_cut_at_a_word() {
        let long = "word ".repeat(100);
        let s = snippet(&long);
        assert!(s.chars().count() <= SNIPPET_CHARS + 1 && s.ends_with("word…"));
        assert_eq!(snippet("a\n\nb"), "a b");
    }
}
