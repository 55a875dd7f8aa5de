//! The cursor log's queries (SHARING decision 2), the same for SQLite and PostgreSQL:
//! both read `$1`-style parameters, and the two pools differ only in type, so each
//! store's `impl Store` takes these methods from [`cursor_log_methods!`] rather than
//! holding a copy.

/// The cursor log methods of [`super::Store`], for a store with a `pool` field.
/// `push` either runs in its own transaction (`pool`) or is handed to SQLite's one
/// writer (`writer`), which groups the pushes arriving together into one commit.
macro_rules! cursor_log_methods {
    (@push pool, $self:ident, $document:ident, $device:ident, $counter:ident, $body:ident, $now:ident) => {{
        let tx = $self.pool.begin().await?;
        super::cursor_log::push_in!(tx, $document, $device, $counter, $body, $now)
    }};
    (@push writer, $self:ident, $document:ident, $device:ident, $counter:ident, $body:ident, $now:ident) => {
        $self.writer.push($document, $device, $counter, $body, $now).await
    };
    (push: $via:ident) => {
        async fn create_document(&self, id: &str, log_id: &str) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO documents (id, log_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(log_id)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn head(&self, id: &str) -> Result<Option<Head>, StoreError> {
            let found: Option<(i64, String)> =
                sqlx::query_as("SELECT head, log_id FROM documents WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(found.map(|(head, log_id)| Head { head, log_id }))
        }

        async fn push(
            &self,
            document: &str,
            device: &str,
            counter: i64,
            body: &[u8],
            now_ms: i64,
        ) -> Result<Pushed, StoreError> {
            super::cursor_log::cursor_log_methods!(@push $via, self, document, device, counter, body, now_ms)
        }

        async fn pull(
            &self,
            document: &str,
            after: i64,
            limit: u32,
        ) -> Result<Vec<Logged>, StoreError> {
            let rows: Vec<(i64, String, i64, Vec<u8>, i64)> = sqlx::query_as(
                "SELECT seq, device_id, counter, body, received_ms FROM envelopes WHERE document_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(document)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(seq, device, counter, body, received_ms)| Logged {
                    seq,
                    device,
                    counter,
                    body,
                    received_ms,
                })
                .collect())
        }
    };
}

pub(super) use cursor_log_methods;

/// One push in the open transaction (or savepoint) `$tx`, which it commits or rolls back;
/// evaluates to the `Pushed` result. The store's `push`, and SQLite's writer for each push
/// of a batch, both run exactly this.
macro_rules! push_in {
    ($tx:ident, $document:expr, $device:expr, $counter:expr, $body:expr, $now_ms:expr) => {{
        let mut $tx = $tx;
        let (document, device, counter, body, now_ms): (&str, &str, i64, &[u8], i64) =
            ($document, $device, $counter, $body, $now_ms);
            // Taking the document's row first holds it until commit: numbers follow commit
            // order, with no gaps (a refused push rolls its number back).
            let taken: Option<(i64,)> =
                sqlx::query_as("UPDATE documents SET head = head + 1 WHERE id = $1 RETURNING head")
                    .bind(document)
                    .fetch_optional(&mut *$tx)
                    .await?;
            let Some((seq,)) = taken else {
                $tx.rollback().await?;
                return Ok(Pushed::NoDocument);
            };
            let earlier: Option<(i64, Vec<u8>)> = sqlx::query_as(
                "SELECT seq, body FROM envelopes WHERE document_id = $1 AND device_id = $2 AND counter = $3",
            )
            .bind(document)
            .bind(device)
            .bind(counter)
            .fetch_optional(&mut *$tx)
            .await?;
            if let Some((seq, stored)) = earlier {
                $tx.rollback().await?;
                return Ok(if stored == body {
                    Pushed::Repeated { seq }
                } else {
                    Pushed::CounterReused
                });
            }
            sqlx::query(
                "INSERT INTO envelopes (document_id, seq, device_id, counter, body, received_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(document)
            .bind(seq)
            .bind(device)
            .bind(counter)
            .bind(body)
            .bind(now_ms)
            .execute(&mut *$tx)
            .await?;
            $tx.commit().await?;
        Ok(Pushed::Stored { seq })
    }};
}

pub(super) use push_in;
