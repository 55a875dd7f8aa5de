//! Accounts, phones, sessions and the limits on guessing (docs/accounts.md): the same
//! queries for SQLite and PostgreSQL, taken into each store's `impl Store` by
//! [`account_methods!`] like the cursor log's.

/// The account methods of [`super::Store`], for a store with a `pool` field.
macro_rules! account_methods {
    () => {
        async fn create_account(&self, new: &NewAccount<'_>) -> Result<Created, StoreError> {
            let mut tx = self.pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO accounts (id, username, verifier_hash, stretch_memory_kib, stretch_passes, \
                 signing_key, receiving_key, wrapped_keys, recovery_hash, recovery_wrapped_keys, created_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (username) DO NOTHING",
            )
            .bind(new.id)
            .bind(new.username)
            .bind(new.verifier_hash)
            .bind(new.cost.0)
            .bind(new.cost.1)
            .bind(new.signing_key)
            .bind(new.receiving_key)
            .bind(new.wrapped_keys)
            .bind(new.recovery_hash)
            .bind(new.recovery_wrapped_keys)
            .bind(new.session.now_ms)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(Created::NameTaken);
            }
            insert_session!(tx, new.id, &new.session);
            tx.commit().await?;
            Ok(Created::Done)
        }

        async fn account_by_name(&self, username: &str) -> Result<Option<AccountRow>, StoreError> {
            let found: Option<AccountTuple> = sqlx::query_as(
                "SELECT id, verifier_hash, stretch_memory_kib, stretch_passes, signing_key, \
                 receiving_key, wrapped_keys, recovery_hash, recovery_wrapped_keys, disabled_ms \
                 FROM accounts WHERE username = $1",
            )
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
            Ok(found.map(AccountRow::from))
        }

        async fn start_session(
            &self,
            account: &str,
            session: &NewSession<'_>,
        ) -> Result<(), StoreError> {
            let mut tx = self.pool.begin().await?;
            insert_session!(tx, account, session);
            tx.commit().await?;
            Ok(())
        }

        async fn use_recovery(
            &self,
            account: &str,
            recovery_hash: &[u8],
            session: &NewSession<'_>,
        ) -> Result<bool, StoreError> {
            let mut tx = self.pool.begin().await?;
            // Clearing the hash only where it still matches makes the code good for
            // exactly one sign-in, however many arrive at once.
            let cleared = sqlx::query(
                "UPDATE accounts SET recovery_hash = NULL, recovery_wrapped_keys = NULL \
                 WHERE id = $1 AND recovery_hash = $2",
            )
            .bind(account)
            .bind(recovery_hash)
            .execute(&mut *tx)
            .await?;
            if cleared.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            insert_session!(tx, account, session);
            tx.commit().await?;
            Ok(true)
        }

        async fn session(
            &self,
            token_hash: &[u8],
            now_ms: i64,
            limits: SessionLimits,
        ) -> Result<Option<SessionRow>, StoreError> {
            let found: Option<(String, String, i64, i64, i64, Option<i64>)> = sqlx::query_as(
                "SELECT s.account_id, s.phone_id, s.created_ms, s.last_used_ms, p.range_start, \
                 a.disabled_ms FROM sessions s JOIN phones p ON p.id = s.phone_id \
                 JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
            let Some((account, phone, created_ms, last_used_ms, range_start, disabled_ms)) = found
            else {
                return Ok(None);
            };
            if now_ms - last_used_ms > limits.idle_ms || now_ms - created_ms > limits.absolute_ms {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                return Ok(None);
            }
            // Written at most once a minute, so reading a session is not a write each time.
            if now_ms - last_used_ms >= 60_000 {
                sqlx::query("UPDATE sessions SET last_used_ms = $2 WHERE token_hash = $1")
                    .bind(token_hash)
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await?;
                sqlx::query("UPDATE phones SET last_seen_ms = $2 WHERE id = $1")
                    .bind(&phone)
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await?;
            }
            Ok(Some(SessionRow {
                account,
                phone,
                created_ms,
                range_start,
                disabled: disabled_ms.is_some(),
            }))
        }

        async fn account(&self, id: &str) -> Result<Option<(String, bool)>, StoreError> {
            let found: Option<(String, Option<Vec<u8>>)> =
                sqlx::query_as("SELECT username, recovery_hash FROM accounts WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(found.map(|(name, recovery)| (name, recovery.is_some())))
        }

        async fn delete_account(&self, id: &str) -> Result<bool, StoreError> {
            let mut tx = self.pool.begin().await?;
            // Its phones, sessions, plans, documents and envelopes go with the account
            // (ON DELETE CASCADE); its audit trail goes too.
            sqlx::query("DELETE FROM audit WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let deleted = sqlx::query("DELETE FROM accounts WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(deleted.rows_affected() == 1)
        }

        async fn disable_account(
            &self,
            username: &str,
            now_ms: i64,
        ) -> Result<Option<String>, StoreError> {
            sqlx::query(
                "UPDATE accounts SET disabled_ms = $2 WHERE username = $1 AND disabled_ms IS NULL",
            )
            .bind(username)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
            let found: Option<(String,)> =
                sqlx::query_as("SELECT id FROM accounts WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(found.map(|(id,)| id))
        }

        async fn phones(&self, account: &str) -> Result<Vec<PhoneRow>, StoreError> {
            let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                "SELECT id, name, signed_in_ms, last_seen_ms FROM phones WHERE account_id = $1 \
                 ORDER BY signed_in_ms DESC, id",
            )
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, name, signed_in_ms, last_seen_ms)| PhoneRow {
                    id,
                    name,
                    signed_in_ms,
                    last_seen_ms,
                })
                .collect())
        }

        async fn remove_phone(&self, account: &str, phone: &str) -> Result<bool, StoreError> {
            // The phone's sessions go with it (ON DELETE CASCADE).
            let removed = sqlx::query("DELETE FROM phones WHERE id = $1 AND account_id = $2")
                .bind(phone)
                .bind(account)
                .execute(&self.pool)
                .await?;
            Ok(removed.rows_affected() == 1)
        }

        async fn set_passphrase(
            &self,
            account: &str,
            new: &NewSecrets<'_>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE accounts SET verifier_hash = $2, stretch_memory_kib = $3, stretch_passes = $4, \
                 wrapped_keys = $5, recovery_hash = $6, recovery_wrapped_keys = $7 WHERE id = $1",
            )
            .bind(account)
            .bind(new.verifier_hash)
            .bind(new.cost.0)
            .bind(new.cost.1)
            .bind(new.wrapped_keys)
            .bind(new.recovery_hash)
            .bind(new.recovery_wrapped_keys)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn forget_old(
            &self,
            limits_before_ms: i64,
            audit_before_ms: i64,
        ) -> Result<Forgotten, StoreError> {
            let limits = sqlx::query("DELETE FROM limits WHERE at_ms < $1")
                .bind(limits_before_ms)
                .execute(&self.pool)
                .await?
                .rows_affected();
            let audit = sqlx::query("DELETE FROM audit WHERE at_ms < $1")
                .bind(audit_before_ms)
                .execute(&self.pool)
                .await?
                .rows_affected();
            Ok(Forgotten { limits, audit })
        }

        async fn mark_restored(&self, new_log_id: &str) -> Result<u64, StoreError> {
            Ok(sqlx::query("UPDATE documents SET log_id = $1")
                .bind(new_log_id)
                .execute(&self.pool)
                .await?
                .rows_affected())
        }

        async fn take_token(
            &self,
            key: &[u8],
            bucket: Bucket,
            now_ms: i64,
        ) -> Result<Taken, StoreError> {
            // One statement, so two requests at once cannot both take the last token. The
            // bucket refills from when it was last taken from; a refused try takes nothing.
            let refilled = "CASE WHEN limits.tokens + ($4 - limits.at_ms) * $3 < $2 \
                 THEN limits.tokens + ($4 - limits.at_ms) * $3 ELSE $2 END";
            let taken: Option<(f64,)> = sqlx::query_as(&format!(
                "INSERT INTO limits (key, tokens, at_ms) VALUES ($1, $2 - 1, $4) \
                 ON CONFLICT (key) DO UPDATE SET tokens = {refilled} - 1, at_ms = $4 \
                 WHERE {refilled} >= 1 RETURNING tokens"
            ))
            .bind(key)
            .bind(bucket.capacity)
            .bind(bucket.per_ms)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await?;
            if taken.is_some() {
                return Ok(Taken::Yes);
            }
            let (tokens, at_ms): (f64, i64) =
                sqlx::query_as("SELECT tokens, at_ms FROM limits WHERE key = $1")
                    .bind(key)
                    .fetch_one(&self.pool)
                    .await?;
            let now_tokens = tokens + (now_ms - at_ms) as f64 * bucket.per_ms;
            let wait_ms = ((1.0 - now_tokens) / bucket.per_ms).max(0.0);
            Ok(Taken::No {
                retry_after_s: (wait_ms / 1000.0).ceil().max(1.0) as u64,
            })
        }

        async fn second_factor(&self, account: &str) -> Result<Option<SecondFactor>, StoreError> {
            let found: Option<(Vec<u8>, i64)> = sqlx::query_as(
                "SELECT secret, last_step FROM second_factors WHERE account_id = $1",
            )
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
            // Only 20-byte secrets are written (the wire's type), so another length is a
            // damaged database, answered as any other database fault.
            found
                .map(|(secret, last_step)| {
                    let secret = secret.try_into().map_err(|bytes: Vec<u8>| {
                        let why = format!("a second factor's secret of {} bytes", bytes.len());
                        StoreError::Query(sqlx::Error::Decode(why.into()))
                    })?;
                    Ok(SecondFactor { secret, last_step })
                })
                .transpose()
        }

        async fn set_second_factor(
            &self,
            account: &str,
            secret: &[u8],
            step: i64,
            now_ms: i64,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO second_factors (account_id, secret, last_step, added_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO UPDATE \
                 SET secret = $2, last_step = $3, added_ms = $4",
            )
            .bind(account)
            .bind(secret)
            .bind(step)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn take_second_factor_step(
            &self,
            account: &str,
            step: i64,
        ) -> Result<bool, StoreError> {
            // One statement: two sign-ins with the same code at once take it only once.
            Ok(sqlx::query(
                "UPDATE second_factors SET last_step = $2 \
                 WHERE account_id = $1 AND last_step < $2",
            )
            .bind(account)
            .bind(step)
            .execute(&self.pool)
            .await?
            .rows_affected()
                == 1)
        }

        async fn remove_second_factor(&self, account: &str) -> Result<bool, StoreError> {
            Ok(sqlx::query("DELETE FROM second_factors WHERE account_id = $1")
                .bind(account)
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1)
        }

        async fn member_elsewhere(&self, account: &str) -> Result<bool, StoreError> {
            let found: Option<(String,)> = sqlx::query_as(
                "SELECT m.plan_id FROM plan_members m JOIN plans p ON p.id = m.plan_id \
                 WHERE m.account_id = $1 AND p.owner_id <> $1 AND m.left_ms IS NULL \
                 AND m.rights <> $2 LIMIT 1",
            )
            .bind(account)
            .bind(super::plans::NO_RIGHTS.to_vec())
            .fetch_optional(&self.pool)
            .await?;
            Ok(found.is_some())
        }
    };
}

pub(super) use account_methods;
