//! Invites in the room (SHARING decision 5): the server keeps each invite's id hashed,
//! which account redeemed it with what commitment and proof, and the two nonces. It
//! never holds a secret. The same queries for SQLite and PostgreSQL, taken into each
//! store by [`invite_methods!`].

use std::future::Future;

use super::StoreError;

/// An invite the person's phone opens.
#[derive(Debug, Clone, Copy)]
pub struct OpenInvite<'a> {
    pub id_hash: &'a [u8],
    pub plan: &'a str,
    pub now_ms: i64,
    pub expires_ms: i64,
    /// The most invites the plan may have open, this one included.
    pub most_open: i64,
}

/// What became of opening an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    Opened,
    /// Another live invite has this id: the phone draws another.
    Taken,
    /// The plan has as many invites open as it may.
    TooMany,
}

/// A redemption, by the signed-in account `joiner`.
#[derive(Debug, Clone, Copy)]
pub struct NewRedemption<'a> {
    pub id_hash: &'a [u8],
    pub joiner: &'a str,
    /// The phone that redeemed it.
    pub phone: &'a str,
    pub commitment: &'a [u8],
    pub proof: &'a [u8],
    pub scanned: bool,
    pub now_ms: i64,
}

/// A live invite as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRow {
    pub plan: String,
    pub owner: String,
    pub expires_ms: i64,
    pub joiner: Option<JoinerRow>,
    pub person_nonce: Option<Vec<u8>>,
    pub joiner_nonce: Option<Vec<u8>>,
}

/// Who redeemed an invite, with their account's public keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinerRow {
    pub account: String,
    pub username: String,
    pub signing: Vec<u8>,
    pub receiving: Vec<u8>,
    pub commitment: Vec<u8>,
    pub proof: Vec<u8>,
    pub scanned: bool,
    /// The phone that redeemed it and the first client id of its range; None once that
    /// phone signed out.
    pub phone: Option<(String, i64)>,
}

/// The invite queries, on both databases.
pub trait InviteStore {
    /// Opens an invite, unless another live one has its id or the plan has too many.
    /// An expired invite with the same id is replaced.
    fn open_invite(
        &self,
        new: &OpenInvite<'_>,
    ) -> impl Future<Output = Result<Opened, StoreError>> + Send;
    /// Redeems a live invite nobody has redeemed: true for exactly one redemption, however
    /// many arrive at once.
    fn redeem_invite(
        &self,
        new: &NewRedemption<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// A live invite (not expired at `now_ms`).
    fn invite(
        &self,
        id_hash: &[u8],
        now_ms: i64,
    ) -> impl Future<Output = Result<Option<InviteRow>, StoreError>> + Send;
    /// The person's nonce, once the invite is redeemed; the same nonce again is no change.
    fn person_nonce(
        &self,
        id_hash: &[u8],
        plan: &str,
        nonce: &[u8],
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The joiner's nonce, once the person's is there; the same nonce again is no change.
    fn joiner_nonce(
        &self,
        id_hash: &[u8],
        joiner: &str,
        nonce: &[u8],
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Ends an invite of the plan (accepted, declined or withdrawn).
    fn close_invite(
        &self,
        id_hash: &[u8],
        plan: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Forgets invites that ended before `before_ms`; how many.
    fn forget_invites(
        &self,
        before_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

pub(super) type InviteTuple = (
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<bool>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<String>,
    Option<i64>,
);

pub(super) fn invite_row(t: InviteTuple) -> InviteRow {
    let (plan, owner, expires_ms, account, username, signing, receiving, commitment, proof) =
        (t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8);
    let joiner = match (account, username, signing, receiving, commitment, proof) {
        (Some(account), Some(username), Some(signing), Some(receiving), Some(c), Some(p)) => {
            Some(JoinerRow {
                account,
                username,
                signing,
                receiving,
                commitment: c,
                proof: p,
                scanned: t.9.unwrap_or(false),
                phone: t.12.zip(t.13),
            })
        }
        _ => None,
    };
    InviteRow {
        plan,
        owner,
        expires_ms,
        joiner,
        person_nonce: t.10,
        joiner_nonce: t.11,
    }
}

/// The methods of [`InviteStore`], for a store with a `pool` field.
macro_rules! invite_methods {
    () => {
        async fn open_invite(&self, new: &OpenInvite<'_>) -> Result<Opened, StoreError> {
            let mut tx = self.pool.begin().await?;
            // A write first, as in `append_membership`: the transaction takes the plan's lock
            // (PostgreSQL) or the database's (SQLite) before it counts. Counting first,
            // SQLite could not turn the read into a write once a push had committed
            // meanwhile (the person was told the server was unavailable), and two opens
            // at once could both count four.
            sqlx::query("UPDATE plans SET id = id WHERE id = $1")
                .bind(new.plan)
                .execute(&mut *tx)
                .await?;
            let (open,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM invites WHERE plan_id = $1 AND expires_ms > $2",
            )
            .bind(new.plan)
            .bind(new.now_ms)
            .fetch_one(&mut *tx)
            .await?;
            if open >= new.most_open {
                return Ok(Opened::TooMany);
            }
            let stored = sqlx::query(
                "INSERT INTO invites (id_hash, plan_id, created_ms, expires_ms) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id_hash) DO UPDATE SET plan_id = $2, created_ms = $3, \
                 expires_ms = $4, joiner_id = NULL, commitment = NULL, proof = NULL, \
                 scanned = NULL, redeemed_ms = NULL, person_nonce = NULL, joiner_nonce = NULL, \
                 joiner_phone = NULL \
                 WHERE invites.expires_ms <= $3",
            )
            .bind(new.id_hash)
            .bind(new.plan)
            .bind(new.now_ms)
            .bind(new.expires_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(if stored.rows_affected() == 1 {
                Opened::Opened
            } else {
                Opened::Taken
            })
        }

        async fn redeem_invite(&self, new: &NewRedemption<'_>) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE invites SET joiner_id = $2, commitment = $3, proof = $4, scanned = $5, \
                 redeemed_ms = $6, joiner_phone = $7 \
                 WHERE id_hash = $1 AND joiner_id IS NULL AND expires_ms > $6 \
                 AND plan_id NOT IN (SELECT id FROM plans WHERE owner_id = $2)",
            )
            .bind(new.id_hash)
            .bind(new.joiner)
            .bind(new.commitment)
            .bind(new.proof)
            .bind(new.scanned)
            .bind(new.now_ms)
            .bind(new.phone)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn invite(
            &self,
            id_hash: &[u8],
            now_ms: i64,
        ) -> Result<Option<InviteRow>, StoreError> {
            let found: Option<super::invites::InviteTuple> = sqlx::query_as(
                "SELECT i.plan_id, p.owner_id, i.expires_ms, a.id, a.username, a.signing_key, \
                 a.receiving_key, i.commitment, i.proof, i.scanned, i.person_nonce, \
                 i.joiner_nonce, ph.id, ph.range_start \
                 FROM invites i JOIN plans p ON p.id = i.plan_id \
                 LEFT JOIN accounts a ON a.id = i.joiner_id \
                 LEFT JOIN phones ph ON ph.id = i.joiner_phone AND ph.account_id = i.joiner_id \
                 WHERE i.id_hash = $1 AND i.expires_ms > $2",
            )
            .bind(id_hash)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await?;
            Ok(found.map(super::invites::invite_row))
        }

        async fn person_nonce(
            &self,
            id_hash: &[u8],
            plan: &str,
            nonce: &[u8],
            now_ms: i64,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE invites SET person_nonce = $3 \
                 WHERE id_hash = $1 AND plan_id = $2 AND joiner_id IS NOT NULL \
                 AND (person_nonce IS NULL OR person_nonce = $3) AND expires_ms > $4",
            )
            .bind(id_hash)
            .bind(plan)
            .bind(nonce)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn joiner_nonce(
            &self,
            id_hash: &[u8],
            joiner: &str,
            nonce: &[u8],
            now_ms: i64,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE invites SET joiner_nonce = $3 \
                 WHERE id_hash = $1 AND joiner_id = $2 AND person_nonce IS NOT NULL \
                 AND (joiner_nonce IS NULL OR joiner_nonce = $3) AND expires_ms > $4",
            )
            .bind(id_hash)
            .bind(joiner)
            .bind(nonce)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn close_invite(&self, id_hash: &[u8], plan: &str) -> Result<bool, StoreError> {
            let done = sqlx::query("DELETE FROM invites WHERE id_hash = $1 AND plan_id = $2")
                .bind(id_hash)
                .bind(plan)
                .execute(&self.pool)
                .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn forget_invites(&self, before_ms: i64) -> Result<u64, StoreError> {
            let done = sqlx::query("DELETE FROM invites WHERE expires_ms < $1")
                .bind(before_ms)
                .execute(&self.pool)
                .await?;
            Ok(done.rows_affected())
        }
    };
}

pub(super) use invite_methods;
