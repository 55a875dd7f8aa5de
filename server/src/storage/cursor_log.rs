//! The cursor log's queries (SHARING decision 2), the same for SQLite and PostgreSQL:
//! both read `$1`-style parameters, and the two pools differ only in type, so each
//! store's `impl Store` takes these methods from [`cursor_log_methods!`] rather than
//! holding a copy.

/// The cursor log methods of [`super::Store`], for a store with a `pool` field.
/// `push` either runs in its own transaction (`pool`) or is handed to SQLite's one
/// writer (`writer`), which groups the pushes arriving together into one commit.
macro_rules! cursor_log_methods {
    (@push pool, $self:ident, $document:ident, $device:ident, $counter:ident, $body:ident, $covers:ident, $now:ident) => {{
        let tx = $self.pool.begin().await?;
        super::cursor_log::push_in!(tx, $document, $device, $counter, $body, $covers, $now)
    }};
    (@push writer, $self:ident, $document:ident, $device:ident, $counter:ident, $body:ident, $covers:ident, $now:ident) => {
        $self.writer.push($document, $device, $counter, $body, $covers, $now).await
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
            covers: Option<i64>,
            now_ms: i64,
        ) -> Result<Pushed, StoreError> {
            super::cursor_log::cursor_log_methods!(@push $via, self, document, device, counter, body, covers, now_ms)
        }

        async fn pull(
            &self,
            document: &str,
            after: i64,
            limit: u32,
        ) -> Result<Vec<Logged>, StoreError> {
            type Row = (i64, String, i64, Vec<u8>, i64);
            let row = |(seq, device, counter, body, received_ms): Row| Logged {
                seq,
                device,
                counter,
                body,
                received_ms,
            };
            // One read transaction, so the base and the entries after it agree.
            let mut tx = self.pool.begin().await?;
            let base: Option<(i64, i64)> =
                sqlx::query_as("SELECT base_seq, base_covers FROM documents WHERE id = $1")
                    .bind(document)
                    .fetch_optional(&mut *tx)
                    .await?;
            let mut pulled = Vec::new();
            let (mut after, mut skip, mut limit) = (after, 0, i64::from(limit));
            if let Some((base_seq, base_covers)) = base
                && base_seq > 0
                && after < base_covers
            {
                let first: Option<Row> = sqlx::query_as(
                    "SELECT seq, device_id, counter, body, received_ms FROM envelopes WHERE document_id = $1 AND seq = $2",
                )
                .bind(document)
                .bind(base_seq)
                .fetch_optional(&mut *tx)
                .await?;
                pulled.extend(first.map(row));
                (after, skip, limit) = (base_covers, base_seq, limit - 1);
            }
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT seq, device_id, counter, body, received_ms FROM envelopes WHERE document_id = $1 AND seq > $2 AND seq <> $3 ORDER BY seq LIMIT $4",
            )
            .bind(document)
            .bind(after)
            .bind(skip)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            pulled.extend(rows.into_iter().map(row));
            Ok(pulled)
        }

        async fn report(&self, document: &str, seq: i64) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE envelopes SET reported = $3 WHERE document_id = $1 AND seq = $2 AND covers IS NOT NULL",
            )
            .bind(document)
            .bind(seq)
            .bind(true)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() > 0)
        }

        async fn compact(&self, before_ms: i64) -> Result<Compacted, StoreError> {
            let candidates: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT e.document_id, e.seq, e.covers FROM envelopes e JOIN documents d ON d.id = e.document_id WHERE e.covers IS NOT NULL AND e.covers > d.base_covers AND NOT e.reported AND e.received_ms <= $1 ORDER BY e.document_id, e.covers DESC, e.seq DESC",
            )
            .bind(before_ms)
            .fetch_all(&self.pool)
            .await?;
            let mut compacted = Compacted::default();
            let mut last = None;
            for (document, seq, covers) in candidates {
                // The first for each document covers most.
                if last.as_ref() == Some(&document) {
                    continue;
                }
                last = Some(document.clone());
                // Makes this snapshot the base, under the document's row, unless meanwhile
                // it was reported or a base covering as much came first: drops the entries
                // it covers (but itself), keeping each phone's highest dropped counter.
                    let mut tx = self.pool.begin().await?;
                    // Taking the document's row holds off pushes and other processes' compactions.
                    let (_, base_covers): (i64, i64) = sqlx::query_as(
                        "UPDATE documents SET base_seq = base_seq WHERE id = $1 RETURNING base_seq, base_covers",
                    )
                    .bind(&document)
                    .fetch_one(&mut *tx)
                    .await?;
                    let reported: Option<(bool,)> =
                        sqlx::query_as("SELECT reported FROM envelopes WHERE document_id = $1 AND seq = $2")
                            .bind(&document)
                            .bind(seq)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if covers <= base_covers || reported.is_none_or(|(reported,)| reported) {
                        tx.rollback().await?;
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO dropped_counters (document_id, device_id, counter) SELECT document_id, device_id, MAX(counter) FROM envelopes WHERE document_id = $1 AND seq <= $2 AND seq <> $3 GROUP BY document_id, device_id ON CONFLICT (document_id, device_id) DO UPDATE SET counter = excluded.counter WHERE excluded.counter > dropped_counters.counter",
                    )
                    .bind(&document)
                    .bind(covers)
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                    let dropped = sqlx::query("DELETE FROM envelopes WHERE document_id = $1 AND seq <= $2 AND seq <> $3")
                        .bind(&document)
                        .bind(covers)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    sqlx::query("UPDATE documents SET base_seq = $2, base_covers = $3 WHERE id = $1")
                        .bind(&document)
                        .bind(seq)
                        .bind(covers)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                compacted.documents += 1;
                compacted.dropped += dropped;

            }
            Ok(compacted)
        }
    };
}

pub(super) use cursor_log_methods;

/// One push in the open transaction (or savepoint) `$tx`, which it commits or rolls back;
/// evaluates to the `Pushed` result. The store's `push`, and SQLite's writer for each push
/// of a batch, both run exactly this.
macro_rules! push_in {
    ($tx:ident, $document:expr, $device:expr, $counter:expr, $body:expr, $covers:expr, $now_ms:expr) => {{
        let mut $tx = $tx;
        let (document, device, counter, body, covers, now_ms): (&str, &str, i64, &[u8], Option<i64>, i64) =
            ($document, $device, $counter, $body, $covers, $now_ms);
            // Taking the document's row first holds it until commit: numbers follow commit
            // order, with no gaps (a refused push rolls its number back).
            let taken: Option<(i64, i64)> =
                sqlx::query_as("UPDATE documents SET head = head + 1 WHERE id = $1 RETURNING head, epoch")
                    .bind(document)
                    .fetch_optional(&mut *$tx)
                    .await?;
            let Some((seq, epoch)) = taken else {
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
            // Read under the document's row: a removal's new epoch commits either before
            // this push (which is then stale) or after it.
            if let Some(refused) = super::wrong_epoch(body, epoch) {
                $tx.rollback().await?;
                return Ok(refused);
            }
            let dropped: Option<(i64,)> = sqlx::query_as(
                "SELECT counter FROM dropped_counters WHERE document_id = $1 AND device_id = $2",
            )
            .bind(document)
            .bind(device)
            .fetch_optional(&mut *$tx)
            .await?;
            if dropped.is_some_and(|(highest,)| counter <= highest) {
                $tx.rollback().await?;
                return Ok(Pushed::CounterReused);
            }
            sqlx::query(
                "INSERT INTO envelopes (document_id, seq, device_id, counter, body, received_ms, covers) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(document)
            .bind(seq)
            .bind(device)
            .bind(counter)
            .bind(body)
            .bind(now_ms)
            .bind(covers)
            .execute(&mut *$tx)
            .await?;
            $tx.commit().await?;
        Ok(Pushed::Stored { seq })
    }};
}

pub(super) use push_in;
