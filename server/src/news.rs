//! Word that a document's log has grown, for sync requests parked waiting on it (the
//! long-poll of SHARING decision 2). The word is only a hint: a parked request re-reads
//! the heads and re-checks the session and rights before it answers, so a word that is
//! missed only delays an answer until the wait runs out.
//!
//! Within a process: an in-memory broadcast of document ids. Several processes on one
//! PostgreSQL also pass each word through `NOTIFY` on [`CHANNEL`] (after the commit, the
//! document's id only) and hear the others' with `LISTEN` on a connection of its own. A
//! word lost that way (a dropped connection) only delays: on reconnecting, every parked
//! wait here re-reads its heads. A connection pooler in front of PostgreSQL must give
//! the listening connection a session of its own (PgBouncer: session pooling, or a
//! direct address for the server); transaction pooling drops `LISTEN`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};

/// Words kept for a listener that has fallen behind; past this it is told "something
/// changed" and re-reads everything.
const BACKLOG: usize = 1024;

/// PostgreSQL's channel for the news: its payload is a document id, or [`EVERYTHING`].
pub const CHANNEL: &str = "coplan_news";
/// Said when words may have been missed: every wait re-reads its heads.
const EVERYTHING: &str = "*";

/// The server's news of documents, shared by every request.
#[derive(Clone)]
pub struct News {
    grown: broadcast::Sender<Arc<str>>,
    closing: Arc<watch::Sender<bool>>,
    /// To the task that tells the other processes, when there are any.
    others: Option<tokio::sync::mpsc::UnboundedSender<Arc<str>>>,
}

impl Default for News {
    fn default() -> Self {
        Self::new()
    }
}

impl News {
    pub fn new() -> Self {
        Self {
            grown: broadcast::channel(BACKLOG).0,
            closing: Arc::new(watch::channel(false).0),
            others: None,
        }
    }

    /// News shared with every other server process on the same PostgreSQL database.
    pub fn across_processes(pool: sqlx::PgPool) -> Self {
        let (tell, mut told) = tokio::sync::mpsc::unbounded_channel::<Arc<str>>();
        let news = Self {
            others: Some(tell),
            ..Self::new()
        };
        let sending = pool.clone();
        tokio::spawn(async move {
            while let Some(document) = told.recv().await {
                // A hint only: a word that fails to go delays the others' answers.
                let _ = tell_processes(&sending, &document).await;
            }
        });
        let hearing = news.grown.clone();
        tokio::spawn(async move { hear_others(pool, hearing).await });
        news
    }

    /// Says that `document`'s log has grown (after the commit).
    pub fn grown(&self, document: &str) {
        let document: Arc<str> = Arc::from(document);
        // No listener is not an error: nobody is waiting.
        let _ = self.grown.send(document.clone());
        if let Some(others) = &self.others {
            let _ = others.send(document);
        }
    }

    /// Says that `phone` was signed out: its parked waits, on every process, end and find
    /// its session gone.
    pub fn phone_removed(&self, phone: &str) {
        self.grown(&Self::phone_word(phone));
    }

    /// What a wait listens for, beside its documents, to hear that its phone was signed
    /// out ([`Self::phone_removed`]).
    pub fn phone_word(phone: &str) -> String {
        format!("phone:{phone}")
    }

    /// Ends every wait at once: the server is stopping, and parked requests must not hold
    /// its graceful stop for their whole wait.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Starts listening. Listen before reading the heads: a word sent between the read and
    /// the wait is then not missed.
    pub fn listen(&self) -> Listener {
        Listener {
            grown: self.grown.subscribe(),
            closing: self.closing.subscribe(),
        }
    }
}

/// Passes `word` (a document id, or [`News::phone_word`]) to every server process on
/// the database: also for a command that runs beside them (`coplan-server disable`).
pub async fn tell_processes(pool: &sqlx::PgPool, word: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(word)
        .execute(pool)
        .await
        .map(|_| ())
}

/// One parked request's ear.
pub struct Listener {
    grown: broadcast::Receiver<Arc<str>>,
    closing: watch::Receiver<bool>,
}

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// One of the documents grew, or words were missed: read the heads again.
    Maybe,
    /// The wait ran out.
    TimedOut,
    /// The server is stopping.
    Closing,
}

impl Listener {
    /// Waits until one of `documents` grows, at most `limit`.
    pub async fn wait(&mut self, documents: &[String], limit: Duration) -> Woken {
        if *self.closing.borrow() {
            return Woken::Closing;
        }
        let heard = async {
            loop {
                match self.grown.recv().await {
                    Ok(document)
                        if &*document == EVERYTHING
                            || documents.iter().any(|d| **d == *document) =>
                    {
                        return Woken::Maybe;
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => return Woken::Maybe,
                    Err(broadcast::error::RecvError::Closed) => return Woken::Closing,
                }
            }
        };
        tokio::select! {
            woken = heard => woken,
            _ = self.closing.wait_for(|closing| *closing) => Woken::Closing,
            () = tokio::time::sleep(limit) => Woken::TimedOut,
        }
    }
}

/// Passes the other processes' words to this one's waits, for as long as the process
/// runs; after a lost connection (words may have been missed) it wakes every wait.
async fn hear_others(pool: sqlx::PgPool, grown: broadcast::Sender<Arc<str>>) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(_) if pool.is_closed() => return,
            Err(_) => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if listener.listen(CHANNEL).await.is_err() {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        let _ = grown.send(Arc::from(EVERYTHING));
        // Until the connection drops (`None` or an error): then listen on a new one.
        while let Ok(Some(word)) = listener.try_recv().await {
            let _ = grown.send(Arc::from(word.payload()));
        }
        if pool.is_closed() {
            return;
        }
        let _ = grown.send(Arc::from(EVERYTHING));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[tokio::test]
    async fn a_wait_ends_when_one_of_its_documents_grows_and_not_for_others() {
        let news = News::new();
        let mut ear = news.listen();
        news.grown("other");
        let short = Duration::from_millis(50);
        assert_eq!(ear.wait(&ids(&["mine"]), short).await, Woken::TimedOut);
        news.grown("mine");
        assert_eq!(ear.wait(&ids(&["mine"]), short).await, Woken::Maybe);
    }

    #[tokio::test]
    async fn words_sent_before_the_wait_but_after_listening_are_not_missed() {
        let news = News::new();
        let mut ear = news.listen();
        news.grown("mine");
        let long = Duration::from_secs(30);
        assert_eq!(ear.wait(&ids(&["mine"]), long).await, Woken::Maybe);
    }

    #[tokio::test]
    async fn closing_ends_every_wait_at_once() {
        let news = News::new();
        let mut ear = news.listen();
        let waiting =
            tokio::spawn(async move { ear.wait(&ids(&["mine"]), Duration::from_secs(30)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        news.close();
        assert_eq!(waiting.await.unwrap(), Woken::Closing);
        assert_eq!(
            news.listen()
                .wait(&ids(&["mine"]), Duration::from_secs(30))
                .await,
            Woken::Closing
        );
    }

    #[tokio::test]
    async fn a_listener_that_fell_behind_is_told_to_read_again() {
        let news = News::new();
        let mut ear = news.listen();
        for _ in 0..=BACKLOG {
            news.grown("other");
        }
        let long = Duration::from_secs(30);
        assert_eq!(ear.wait(&ids(&["mine"]), long).await, Woken::Maybe);
    }
}
