//! Word that a document's log has grown, for sync requests parked waiting on it (the
//! long-poll of SHARING decision 2). The word is only a hint: a parked request re-reads
//! the heads and re-checks the session and rights before it answers, so a word that is
//! missed only delays an answer until the wait runs out.
//!
//! One process: an in-memory broadcast of document ids. Several processes on one
//! PostgreSQL add `NOTIFY` with the same meaning (issue 13).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};

/// Words kept for a listener that has fallen behind; past this it is told "something
/// changed" and re-reads everything.
const BACKLOG: usize = 1024;

/// The server's news of documents, shared by every request.
#[derive(Clone)]
pub struct News {
    grown: broadcast::Sender<Arc<str>>,
    closing: Arc<watch::Sender<bool>>,
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
        }
    }

    /// Says that `document`'s log has grown (after the commit).
    pub fn grown(&self, document: &str) {
        // No listener is not an error: nobody is waiting.
        let _ = self.grown.send(Arc::from(document));
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
                    Ok(document) if documents.iter().any(|d| **d == *document) => {
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
