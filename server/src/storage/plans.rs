//! Plans attached to accounts, who may reach which document, and the audit trail: the
//! same queries for SQLite and PostgreSQL, taken into each store by [`plan_methods!`].

/// A key envelope, unless its place (document, epoch, reader) holds one already: the one
/// insert, for storing keys and for a new epoch's keys with its log entry.
pub(super) const INSERT_KEY_ENVELOPE: &str = "INSERT INTO key_envelopes \
     (plan_id, document_id, epoch, recipient, body) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (document_id, epoch, recipient) DO NOTHING";

/// An audit row: the one insert, whoever runs it.
pub(super) const INSERT_AUDIT: &str = "INSERT INTO audit (at_ms, account_id, phone_id, action, target, allowed) \
     VALUES ($1, $2, $3, $4, $5, $6)";

/// A member's stored rights once they left the plan: nothing, for every section.
pub(super) const NO_RIGHTS: [u8; coplan_domain::plan::SectionKind::ALL.len()] =
    [0; coplan_domain::plan::SectionKind::ALL.len()];

/// Whether a member's stored rights (a byte per section, by wire code) give at least
/// `need` on the section whose wire code is `kind`. The plan's card: read, by a member
/// with some right to some section (`Membership::right`), never more.
pub(super) fn member_may(rights: &[u8], kind: i64, need: coplan_domain::membership::Right) -> bool {
    if kind == i64::from(coplan_domain::plan::SectionKind::Card.code()) {
        return need == coplan_domain::membership::Right::Read && rights.iter().any(|r| *r > 0);
    }
    let at = usize::try_from(kind - 1).ok();
    at.and_then(|at| rights.get(at))
        .is_some_and(|have| *have >= need as u8 && *have > 0)
}

/// The plan methods of [`super::Store`], for a store with a `pool` field. `audit` either
/// writes on the pool (`pool`) or is handed to SQLite's one writer (`writer`).
macro_rules! plan_methods {
    (@audit pool, $self:ident, $entry:ident) => {{
        sqlx::query(super::plans::INSERT_AUDIT)
            .bind($entry.at_ms)
            .bind($entry.account)
            .bind($entry.phone)
            .bind($entry.action)
            .bind($entry.target)
            .bind($entry.allowed)
            .execute(&$self.pool)
            .await?;
        Ok(())
    }};
    (@audit writer, $self:ident, $entry:ident) => {
        $self.writer.audit($entry).await
    };
    (audit: $via:ident) => {
        async fn attach_plan(&self, new: &NewPlan<'_>) -> Result<String, StoreError> {
            let mut tx = self.pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO plans (id, owner_id, request_id, created_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (owner_id, request_id) DO NOTHING",
            )
            .bind(new.id)
            .bind(new.owner)
            .bind(new.request_id)
            .bind(new.now_ms)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 1 {
                for (document, kind) in new.documents {
                    sqlx::query(
                        "INSERT INTO documents (id, log_id, plan_id, kind) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(document)
                    .bind(new.log_id)
                    .bind(new.id)
                    .bind(*kind)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            // A retry of the same attach finds the plan the first one made.
            let (id,): (String,) =
                sqlx::query_as("SELECT id FROM plans WHERE owner_id = $1 AND request_id = $2")
                    .bind(new.owner)
                    .bind(new.request_id)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            Ok(id)
        }

        async fn plans(&self, owner: &str) -> Result<Vec<PlanRow>, StoreError> {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT p.id, d.id, d.kind FROM plans p JOIN documents d ON d.plan_id = p.id \
                 WHERE p.owner_id = $1 ORDER BY p.created_ms, p.id, d.kind",
            )
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
            let mut plans: Vec<PlanRow> = Vec::new();
            for (plan, document, kind) in rows {
                match plans.last_mut() {
                    Some(last) if last.id == plan => last.documents.push((document, kind)),
                    _ => plans.push(PlanRow {
                        id: plan,
                        documents: vec![(document, kind)],
                    }),
                }
            }
            Ok(plans)
        }

        async fn plan(&self, id: &str) -> Result<Option<PlanRow>, StoreError> {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT d.id, d.kind FROM documents d WHERE d.plan_id = $1 ORDER BY d.kind",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            Ok((!rows.is_empty()).then(|| PlanRow {
                id: id.to_owned(),
                documents: rows,
            }))
        }

        async fn may_sync(
            &self,
            account: &str,
            document: &str,
            need: coplan_domain::membership::Right,
        ) -> Result<bool, StoreError> {
            let found: Option<(i64, String, Option<Vec<u8>>, Option<String>)> = sqlx::query_as(
                "SELECT d.kind, p.owner_id, m.rights, d.suggester FROM documents d \
                 JOIN plans p ON p.id = d.plan_id \
                 LEFT JOIN plan_members m ON m.plan_id = p.id AND m.account_id = $2 \
                 WHERE d.id = $1",
            )
            .bind(document)
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
            Ok(match found {
                Some((_, owner, _, _)) if owner == account => true,
                Some((kind, _, Some(rights), Some(suggester))) => {
                    suggester == account
                        && super::plans::member_may(
                            &rights,
                            kind & 0x7f,
                            coplan_domain::membership::Right::Suggest,
                        )
                }
                Some((kind, _, Some(rights), None)) => {
                    super::plans::member_may(&rights, kind, need)
                }
                _ => false,
            })
        }

        async fn members(&self, plan: &str) -> Result<Vec<MemberRow>, StoreError> {
            type Row = (String, String, Vec<u8>, Vec<u8>, Vec<u8>, Option<i64>, Option<i64>);
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT m.account_id, a.username, a.signing_key, a.receiving_key, m.rights, \
                 a.disabled_ms, m.left_ms \
                 FROM plan_members m JOIN accounts a ON a.id = m.account_id \
                 WHERE m.plan_id = $1 ORDER BY a.username",
            )
            .bind(plan)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(account, username, signing, receiving, rights, disabled_ms, left_ms)| {
                        MemberRow {
                            account,
                            username,
                            signing,
                            receiving,
                            rights,
                            disabled: disabled_ms.is_some(),
                            left: left_ms.is_some(),
                        }
                    },
                )
                .collect())
        }

        async fn account_by_signing_key(
            &self,
            signing: &[u8],
        ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
            Ok(sqlx::query_as("SELECT id, receiving_key FROM accounts WHERE signing_key = $1")
                .bind(signing)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn signing_key(&self, account: &str) -> Result<Option<Vec<u8>>, StoreError> {
            let found: Option<(Vec<u8>,)> =
                sqlx::query_as("SELECT signing_key FROM accounts WHERE id = $1")
                    .bind(account)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(found.map(|(key,)| key))
        }

        async fn receiving_key(&self, account: &str) -> Result<Option<Vec<u8>>, StoreError> {
            let found: Option<(Vec<u8>,)> =
                sqlx::query_as("SELECT receiving_key FROM accounts WHERE id = $1")
                    .bind(account)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(found.map(|(key,)| key))
        }

        async fn put_key_envelopes(
            &self,
            plan: &str,
            envelopes: &[NewKeyEnvelope<'_>],
        ) -> Result<KeysPut, StoreError> {
            let mut tx = self.pool.begin().await?;
            for envelope in envelopes {
                sqlx::query(
                    super::plans::INSERT_KEY_ENVELOPE,
                )
                .bind(plan)
                .bind(envelope.document)
                .bind(envelope.epoch)
                .bind(envelope.recipient)
                .bind(envelope.body)
                .execute(&mut *tx)
                .await?;
                // The first stored stands: the same bytes again are a harmless retry,
                // other bytes are another phone's key for the same place.
                let (stored,): (Vec<u8>,) = sqlx::query_as(
                    "SELECT body FROM key_envelopes WHERE document_id = $1 AND epoch = $2 AND recipient = $3",
                )
                .bind(envelope.document)
                .bind(envelope.epoch)
                .bind(envelope.recipient)
                .fetch_one(&mut *tx)
                .await?;
                if stored != envelope.body {
                    tx.rollback().await?;
                    return Ok(KeysPut::Taken);
                }
            }
            tx.commit().await?;
            Ok(KeysPut::Stored)
        }

        async fn key_envelopes(
            &self,
            plan: &str,
            recipient: &[u8],
        ) -> Result<Vec<Vec<u8>>, StoreError> {
            let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
                "SELECT body FROM key_envelopes WHERE plan_id = $1 AND recipient = $2 \
                 ORDER BY document_id, epoch",
            )
            .bind(plan)
            .bind(recipient)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(|(body,)| body).collect())
        }

        async fn membership(&self, plan: &str) -> Result<Vec<Vec<u8>>, StoreError> {
            let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
                "SELECT body FROM membership_entries WHERE plan_id = $1 ORDER BY number",
            )
            .bind(plan)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(|(body,)| body).collect())
        }

        async fn append_membership(
            &self,
            plan: &str,
            appending: &Appending<'_>,
        ) -> Result<Appended, StoreError> {
            let Appending {
                after,
                entries,
                members,
                suggestions,
                epochs,
                keys,
            } = *appending;
            let mut tx = self.pool.begin().await?;
            // A write first: the transaction takes the plan's lock (PostgreSQL) or the
            // database's (SQLite) before it reads the log. Read first, SQLite could not
            // turn the read into a write once a push had committed meanwhile, and a
            // removal racing a member's pushes would fail as busy.
            sqlx::query("UPDATE plans SET id = id WHERE id = $1")
                .bind(plan)
                .execute(&mut *tx)
                .await?;
            let (count,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM membership_entries WHERE plan_id = $1")
                    .bind(plan)
                    .fetch_one(&mut *tx)
                    .await?;
            if count != after {
                tx.rollback().await?;
                return Ok(Appended::Moved);
            }
            for (number, body) in (after..).zip(entries) {
                // Two phones appending at once: the primary key lets only one have a number.
                let stored = sqlx::query(
                    "INSERT INTO membership_entries (plan_id, number, body) VALUES ($1, $2, $3) \
                     ON CONFLICT (plan_id, number) DO NOTHING",
                )
                .bind(plan)
                .bind(number)
                .bind(*body)
                .execute(&mut *tx)
                .await?;
                if stored.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(Appended::Moved);
                }
            }
            // Who may reach the plan now: the verified log's members, in full; except that
            // a member who left (and whom the log still names) keeps no right.
            let left: Vec<(String, i64)> = sqlx::query_as(
                "SELECT account_id, left_ms FROM plan_members \
                 WHERE plan_id = $1 AND left_ms IS NOT NULL",
            )
            .bind(plan)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM plan_members WHERE plan_id = $1")
                .bind(plan)
                .execute(&mut *tx)
                .await?;
            for (account, rights) in members {
                // Marked as left until the log takes every right away (removes them).
                let left_ms = left
                    .iter()
                    .find(|(a, _)| a == account)
                    .map(|(_, at)| *at)
                    .filter(|_| rights.iter().any(|r| *r > 0));
                let rights = match left_ms {
                    Some(_) => super::plans::NO_RIGHTS.to_vec(),
                    None => rights.clone(),
                };
                sqlx::query(
                    "INSERT INTO plan_members (plan_id, account_id, rights, left_ms) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(plan)
                .bind(account)
                .bind(rights)
                .bind(left_ms)
                .execute(&mut *tx)
                .await?;
            }
            // Each new suggestions document starts a log of its own, beside the plan's.
            for new in suggestions {
                let added = sqlx::query(
                    "INSERT INTO documents (id, log_id, plan_id, kind, suggester) \
                     SELECT $1, d.log_id, d.plan_id, $2, $3 FROM documents d \
                     WHERE d.plan_id = $4 AND d.suggester IS NULL ORDER BY d.kind LIMIT 1 \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&new.document)
                .bind(new.kind)
                .bind(&new.suggester)
                .bind(plan)
                .execute(&mut *tx)
                .await?;
                if added.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(Appended::Taken);
                }
            }
            // Each new key epoch, from the one before only, with its key envelopes: pushes
            // sealed under the old key are answered "stale epoch" from this commit on.
            for (document, epoch) in epochs {
                let moved = sqlx::query(
                    "UPDATE documents SET epoch = $2 WHERE id = $1 AND plan_id = $3 AND epoch = $2 - 1",
                )
                .bind(document)
                .bind(*epoch)
                .bind(plan)
                .execute(&mut *tx)
                .await?;
                if moved.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(Appended::Moved);
                }
            }
            for envelope in keys {
                let stored = sqlx::query(
                    super::plans::INSERT_KEY_ENVELOPE,
                )
                .bind(plan)
                .bind(envelope.document)
                .bind(envelope.epoch)
                .bind(envelope.recipient)
                .bind(envelope.body)
                .execute(&mut *tx)
                .await?;
                if stored.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(Appended::Moved);
                }
            }
            tx.commit().await?;
            Ok(Appended::Stored)
        }

        async fn members_to_remove(&self, owner: &str) -> Result<Vec<(String, i64)>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT m.plan_id, COUNT(*) FROM plan_members m \
                 JOIN plans p ON p.id = m.plan_id JOIN accounts a ON a.id = m.account_id \
                 WHERE p.owner_id = $1 \
                 AND (m.left_ms IS NOT NULL OR (a.disabled_ms IS NOT NULL AND m.rights <> $2)) \
                 GROUP BY m.plan_id",
            )
            .bind(owner)
            .bind(super::plans::NO_RIGHTS.to_vec())
            .fetch_all(&self.pool)
            .await?)
        }

        async fn leave_plan(
            &self,
            plan: &str,
            account: &str,
            now_ms: i64,
        ) -> Result<bool, StoreError> {
            let left = sqlx::query(
                "UPDATE plan_members SET rights = $3, left_ms = $4 \
                 WHERE plan_id = $1 AND account_id = $2 AND left_ms IS NULL AND rights <> $3",
            )
            .bind(plan)
            .bind(account)
            .bind(super::plans::NO_RIGHTS.to_vec())
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
            Ok(left.rows_affected() == 1)
        }

        async fn phone_range(
            &self,
            account: &str,
            phone: &str,
        ) -> Result<Option<i64>, StoreError> {
            let found: Option<(i64,)> = sqlx::query_as(
                "SELECT range_start FROM phones WHERE id = $1 AND account_id = $2",
            )
            .bind(phone)
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
            Ok(found.map(|(start,)| start))
        }

        async fn audit(&self, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
            super::plans::plan_methods!(@audit $via, self, entry)
        }

        async fn access(
            &self,
            plan: &str,
            owner: &str,
            limit: i64,
        ) -> Result<Vec<AccessRow>, StoreError> {
            let rows: Vec<(i64, Vec<u8>, String, String)> = sqlx::query_as(
                "SELECT a.at_ms, c.signing_key, a.action, a.target FROM audit a \
                 JOIN accounts c ON c.id = a.account_id \
                 WHERE a.allowed AND a.account_id <> $2 \
                 AND a.action IN ('received', 'sent', 'keys', 'left') \
                 AND (a.target = $1 OR a.target IN (SELECT id FROM documents WHERE plan_id = $1)) \
                 ORDER BY a.at_ms DESC LIMIT $3",
            )
            .bind(plan)
            .bind(owner)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(at_ms, signing, action, target)| AccessRow {
                    at_ms,
                    signing,
                    action,
                    target,
                })
                .collect())
        }

        async fn audit_trail(&self, account: &str) -> Result<Vec<AuditRow>, StoreError> {
            let rows: Vec<(i64, String, String, bool)> = sqlx::query_as(
                "SELECT at_ms, action, target, allowed FROM audit WHERE account_id = $1 \
                 ORDER BY at_ms, action",
            )
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(at_ms, action, target, allowed)| AuditRow {
                    at_ms,
                    action,
                    target,
                    allowed,
                })
                .collect())
        }
    };
}

pub(super) use plan_methods;
