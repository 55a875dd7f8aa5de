//! Where the server keeps data: one [`Store`] trait, one implementation per database, each
//! with its own `migrations/` folder. Applied migrations are never edited; add a new one.

mod accounts;
mod cursor_log;
pub mod invites;
mod memory;
mod plans;
mod postgres;
mod sqlite;
mod sqlite_writer;

use std::future::Future;

pub use memory::{Backup, MemoryLog};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A storage failure. It names the operation and the database's own message, which never
/// contains plan text because plans reach the database only as bound parameters.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    /// A grouped write that did not commit (SQLite's one writer): the caller sends again.
    #[error("the write was not committed: {0}")]
    Write(String),
    #[error("unsupported DATABASE_URL: use sqlite://path or postgres://…")]
    UnsupportedUrl,
}

impl StoreError {
    /// Whether the write broke a uniqueness rule (a phone's range already taken).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Query(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// How long a request waits for a pooled connection before it is answered 503 (with
/// `Retry-After`): while the database restarts, and when more requests arrive than the
/// pool serves. sqlx's default, 30 s, would hold a phone's request past its own patience.
pub const CONNECTION_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How one pooled connection commits: the database's own words for its settings, and
/// whether an acknowledged write survives a crash or a power cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Durability {
    pub settings: String,
    pub durable: bool,
}

/// One envelope as a document's log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub seq: i64,
    pub device: String,
    pub counter: i64,
    pub body: Vec<u8>,
    /// When the server stored it (milliseconds since 1970).
    pub received_ms: i64,
}

/// What became of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Stored now, as number `seq`.
    Stored { seq: i64 },
    /// Stored before, with this same body, as number `seq`: nothing changed.
    Repeated { seq: i64 },
    /// The device sent another body under this counter before: refused, nothing stored.
    CounterReused,
    /// There is no such document.
    NoDocument,
    /// Sealed under a key epoch before the document's: nothing stored; its phone seals it
    /// again under the new key.
    StaleEpoch,
    /// Sealed under a key epoch the document has not started: refused.
    UnknownEpoch,
}

/// Whether `body` was sealed under an epoch other than the document's `epoch`, and what
/// the push answers then. (The sync handler passes only envelopes it has read; bytes
/// that are not one claim no epoch, as the log's own tests push.)
pub(crate) fn wrong_epoch(body: &[u8], epoch: i64) -> Option<Pushed> {
    let sealed = i64::from(
        coplan_domain::envelope::Envelope::read(body)
            .ok()?
            .header
            .epoch,
    );
    match sealed.cmp(&epoch) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Less => Some(Pushed::StaleEpoch),
        std::cmp::Ordering::Greater => Some(Pushed::UnknownEpoch),
    }
}

/// Where a document's log stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// The last number given; 0 before the first envelope.
    pub head: i64,
    /// This incarnation of the log: it changes when the log is reset or restored.
    pub log_id: String,
}

/// A new account, with its first phone and session.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub verifier_hash: &'a [u8],
    /// Memory in KiB and passes.
    pub cost: (i64, i64),
    pub signing_key: &'a [u8],
    pub receiving_key: &'a [u8],
    pub wrapped_keys: &'a [u8],
    pub recovery_hash: &'a [u8],
    pub recovery_wrapped_keys: &'a [u8],
    pub session: NewSession<'a>,
}

/// A phone signing in: the phone's row and its session, made together.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub phone_id: &'a str,
    pub phone_name: &'a str,
    /// The first client id of the phone's range.
    pub range_start: i64,
    pub token_hash: &'a [u8],
    pub now_ms: i64,
}

/// What became of a sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Done,
    NameTaken,
}

/// An account's second factor: its code's secret, and the last step a code was taken for.
#[derive(Clone, PartialEq, Eq)]
pub struct SecondFactor {
    pub secret: [u8; coplan_domain::totp::SECRET_BYTES],
    pub last_step: i64,
}

/// An account as sign-in needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub verifier_hash: Vec<u8>,
    pub cost: (i64, i64),
    pub signing_key: Vec<u8>,
    pub receiving_key: Vec<u8>,
    pub wrapped_keys: Vec<u8>,
    /// None once the recovery code was used, until a new one is set.
    pub recovery: Option<(Vec<u8>, Vec<u8>)>,
    /// The service turned the account off (`coplan-server disable`).
    pub disabled: bool,
}

type AccountTuple = (
    String,
    Vec<u8>,
    i64,
    i64,
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<i64>,
);

impl From<AccountTuple> for AccountRow {
    fn from(row: AccountTuple) -> Self {
        let (
            id,
            verifier_hash,
            memory,
            passes,
            signing_key,
            receiving_key,
            wrapped_keys,
            rh,
            rw,
            disabled_ms,
        ) = row;
        Self {
            id,
            verifier_hash,
            cost: (memory, passes),
            signing_key,
            receiving_key,
            wrapped_keys,
            recovery: rh.zip(rw),
            disabled: disabled_ms.is_some(),
        }
    }
}

/// A new passphrase and recovery code, as the server keeps them.
#[derive(Debug, Clone, Copy)]
pub struct NewSecrets<'a> {
    pub verifier_hash: &'a [u8],
    pub cost: (i64, i64),
    pub wrapped_keys: &'a [u8],
    pub recovery_hash: &'a [u8],
    pub recovery_wrapped_keys: &'a [u8],
}

/// How long a session lasts: unused, and at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub account: String,
    pub phone: String,
    pub created_ms: i64,
    /// The first client id of the phone's range.
    pub range_start: i64,
    /// The service turned the account off: the session is refused.
    pub disabled: bool,
}

/// A phone signed in to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneRow {
    pub id: String,
    pub name: String,
    pub signed_in_ms: i64,
    pub last_seen_ms: i64,
}

/// A token bucket: it holds at most `capacity` tries and gains `per_ms` a millisecond.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub capacity: f64,
    pub per_ms: f64,
}

/// How many rows a purge of old rows deleted ([`Store::forget_old`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forgotten {
    pub limits: u64,
    pub audit: u64,
}

/// Whether a try may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Yes,
    No { retry_after_s: u64 },
}

/// A plan being attached, with a document per section (id, section code).
#[derive(Debug, Clone, Copy)]
pub struct NewPlan<'a> {
    pub id: &'a str,
    pub owner: &'a str,
    pub request_id: &'a str,
    pub documents: &'a [(String, i64)],
    pub log_id: &'a str,
    pub now_ms: i64,
}

/// A key envelope to store: its document, epoch and recipient (read from its bytes by
/// the caller, which has checked them), and the bytes.
#[derive(Debug, Clone, Copy)]
pub struct NewKeyEnvelope<'a> {
    pub document: &'a str,
    pub epoch: i64,
    pub recipient: &'a [u8],
    pub body: &'a [u8],
}

/// What storing key envelopes came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysPut {
    /// All stored (or each already there with the same bytes).
    Stored,
    /// One (document, epoch, recipient) already holds other bytes: nothing was stored.
    Taken,
}

/// What appending to a plan's membership log came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Every entry stored, after exactly the entries the phone had.
    Stored,
    /// The log had other entries by then (another phone appended first): nothing stored.
    Moved,
    /// A suggestions document it names has an id already in use: nothing stored.
    Taken,
}

/// A member's suggestions document, as a membership entry names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSuggestions {
    pub document: String,
    /// The section's wire code with the high bit set (`SectionKind::suggestions_code`).
    pub kind: i64,
    /// The account whose suggestions it holds.
    pub suggester: String,
}

/// Entries for a plan's membership log and what follows from them, stored together
/// ([`Store::append_membership`]).
#[derive(Debug, Clone, Copy)]
pub struct Appending<'a> {
    /// How many entries the log must hold now.
    pub after: i64,
    pub entries: &'a [&'a [u8]],
    /// Who may reach the plan afterwards (account, rights), as the verified log says.
    pub members: &'a [(String, Vec<u8>)],
    pub suggestions: &'a [NewSuggestions],
    /// Each document whose key epoch the entries start, and that epoch (one more than
    /// the document's now).
    pub epochs: &'a [(String, i64)],
    /// The new epochs' key envelopes.
    pub keys: &'a [NewKeyEnvelope<'a>],
}

/// A member of a plan other than its owner, as the verified membership log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub account: String,
    pub username: String,
    pub signing: Vec<u8>,
    pub receiving: Vec<u8>,
    /// A byte per section, by wire code (about me first): 0 nothing, 1 read, 2 suggest,
    /// 3 edit.
    pub rights: Vec<u8>,
    /// The service turned the member's account off.
    pub disabled: bool,
    /// The member left the plan on their own: they keep no right (`rights` is all
    /// nothing), however the log grows, and are marked so until the log removes them.
    pub left: bool,
}

impl MemberRow {
    /// Whether the member may at least read the section with wire code `kind`.
    pub fn may_read(&self, kind: i64) -> bool {
        plans::member_may(&self.rights, kind, coplan_domain::membership::Right::Read)
    }
}

/// A plan and its documents (id, section code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub id: String,
    pub documents: Vec<(String, i64)>,
}

/// One authorisation decision, as the audit trail keeps it: never content.
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    pub at_ms: i64,
    pub account: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub allowed: bool,
}

/// Something another account did with a plan, for its access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRow {
    pub at_ms: i64,
    /// The account's public signing key.
    pub signing: Vec<u8>,
    pub action: String,
    pub target: String,
}

/// A decision read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub at_ms: i64,
    pub action: String,
    pub target: String,
    pub allowed: bool,
}

/// Inserts a phone and its session in the open transaction `$tx`.
macro_rules! insert_session {
    ($tx:expr, $account:expr, $session:expr) => {{
        let session: &NewSession<'_> = $session;
        sqlx::query(
            "INSERT INTO phones (id, account_id, name, signed_in_ms, last_seen_ms, range_start) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(session.phone_id)
        .bind($account)
        .bind(session.phone_name)
        .bind(session.now_ms)
        .bind(session.range_start)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, phone_id, created_ms, last_used_ms) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(session.token_hash)
        .bind($account)
        .bind(session.phone_id)
        .bind(session.now_ms)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_session;

/// Every connection the pool can hold, held at once, so that a question asked of each
/// reaches each one (for `Store::durability`).
async fn hold_every_connection<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    connections: u32,
) -> Result<Vec<sqlx::pool::PoolConnection<DB>>, StoreError> {
    let mut held = Vec::new();
    for _ in 0..connections {
        held.push(pool.acquire().await?);
    }
    Ok(held)
}

/// The cursor log of SHARING decision 2: what sync needs from a database. The sync
/// handler (`crate::sync`) is written against this alone, so the convergence harness runs
/// it on [`MemoryLog`].
pub trait CursorLog: Clone + Send + Sync + 'static {
    /// Makes the document's log, empty, unless it exists already.
    fn create_document(
        &self,
        id: &str,
        log_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Where the document's log stands; None if there is no such document.
    fn head(&self, id: &str) -> impl Future<Output = Result<Option<Head>, StoreError>> + Send;
    /// Appends `body`, sent by `device` as its `counter`th envelope for the document (a
    /// snapshot says in `covers` the last number it covers): the next number is taken
    /// under the document's row, so numbers follow commit order and have no gaps; a
    /// repeat of the same push changes nothing; a counter at or below one dropped by
    /// compaction is answered [`Pushed::CounterReused`].
    fn push(
        &self,
        document: &str,
        device: &str,
        counter: i64,
        body: &[u8],
        covers: Option<i64>,
        now_ms: i64,
    ) -> impl Future<Output = Result<Pushed, StoreError>> + Send;
    /// Up to `limit` envelopes numbered after `after`, in order; but when `after` is
    /// behind what the document's base snapshot covers (compaction dropped those), the
    /// base comes first, standing for them, then the entries after what it covers.
    fn pull(
        &self,
        document: &str,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Logged>, StoreError>> + Send;
    /// A phone reports that the snapshot numbered `seq` does not cover what it claims,
    /// or does not open: it never becomes a base. False if there is no such snapshot.
    fn report(
        &self,
        document: &str,
        seq: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Compacts every document with a snapshot received at or before `before_ms`, not
    /// reported, covering more than its base: the one covering most becomes the base,
    /// and the entries it covers are dropped (the base before it among them, if it
    /// covers that). Never the newest snapshot: a base is dropped only for a later one.
    fn compact(&self, before_ms: i64)
    -> impl Future<Output = Result<Compacted, StoreError>> + Send;
}

/// What a compaction did ([`CursorLog::compact`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compacted {
    /// Documents given a new base.
    pub documents: u64,
    /// Entries dropped.
    pub dropped: u64,
}

/// What the API needs from a database.
pub trait Store: CursorLog {
    /// `"sqlite"` or `"postgres"`, for the health check and logs.
    fn kind(&self) -> &'static str;
    /// Answers when the database is reachable.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// This database's id, made from `new_id` the first time and kept from then on.
    fn instance_id(&self, new_id: &str) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// How every connection the pool can hold commits, each asked while all are held (so
    /// none is asked twice): the server acknowledges a write only once it is durable.
    fn durability(&self) -> impl Future<Output = Result<Vec<Durability>, StoreError>> + Send;

    /// Makes the account with its first phone and session, unless the name is taken.
    fn create_account(
        &self,
        new: &NewAccount<'_>,
    ) -> impl Future<Output = Result<Created, StoreError>> + Send;
    fn account_by_name(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<AccountRow>, StoreError>> + Send;
    /// A phone signed in: its row and its session.
    fn start_session(
        &self,
        account: &str,
        session: &NewSession<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Uses the recovery code whose hash is `recovery_hash` (clearing it) and signs the
    /// phone in, in one transaction; false if it is not (or no longer) the account's.
    fn use_recovery(
        &self,
        account: &str,
        recovery_hash: &[u8],
        session: &NewSession<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The live session with this token hash; an expired one is deleted.
    fn session(
        &self,
        token_hash: &[u8],
        now_ms: i64,
        limits: SessionLimits,
    ) -> impl Future<Output = Result<Option<SessionRow>, StoreError>> + Send;
    /// The account's username and whether it has a recovery code.
    fn account(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<(String, bool)>, StoreError>> + Send;
    /// Deletes the account and everything that hangs from it, its audit trail included.
    fn delete_account(&self, id: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Turns off the account named `username` (unless it is off already): its sessions
    /// and sign-ins are refused from now on. Its id, if there is such an account.
    /// The account's second factor, if it has one.
    fn second_factor(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Option<SecondFactor>, StoreError>> + Send;
    /// Gives the account this second factor (in place of any it had), its code for `step`
    /// just taken.
    fn set_second_factor(
        &self,
        account: &str,
        secret: &[u8],
        step: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Takes the account's code for `step`: false when a code for it, or a later step,
    /// was taken already (or the account has no second factor).
    fn take_second_factor_step(
        &self,
        account: &str,
        step: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Whether the account had a second factor to remove.
    fn remove_second_factor(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Whether the account may still reach someone else's plan (a member who has not left
    /// and has some right).
    fn member_elsewhere(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn disable_account(
        &self,
        username: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// The account's phones, newest first.
    fn phones(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Vec<PhoneRow>, StoreError>> + Send;
    /// Signs a phone of this account out (its sessions go with it).
    fn remove_phone(
        &self,
        account: &str,
        phone: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn set_passphrase(
        &self,
        account: &str,
        new: &NewSecrets<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes the limits' buckets last touched before `limits_before_ms` and the audit
    /// rows written before `audit_before_ms` (docs/accounts.md, "What the server knows").
    fn forget_old(
        &self,
        limits_before_ms: i64,
        audit_before_ms: i64,
    ) -> impl Future<Output = Result<Forgotten, StoreError>> + Send;
    /// Marks every document's log as restored from a backup: each gets `new_log_id`, so
    /// every phone sees that the server may have lost the end of its log and sends again
    /// what it lacks (SHARING decision 2). Returns how many documents were marked.
    fn mark_restored(
        &self,
        new_log_id: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Takes one try from the bucket named by `key`.
    fn take_token(
        &self,
        key: &[u8],
        bucket: Bucket,
        now_ms: i64,
    ) -> impl Future<Output = Result<Taken, StoreError>> + Send;

    /// Makes the plan with its documents, unless this owner already attached one with
    /// this request id; answers the plan's id either way.
    fn attach_plan(
        &self,
        new: &NewPlan<'_>,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// The owner's plans with their documents, oldest first.
    fn plans(&self, owner: &str) -> impl Future<Output = Result<Vec<PlanRow>, StoreError>> + Send;
    /// One plan with its documents, whoever owns it (the caller has checked who may).
    fn plan(&self, id: &str) -> impl Future<Output = Result<Option<PlanRow>, StoreError>> + Send;
    /// Whether the account may do `need` with the document: its plan's owner may do
    /// anything; a member what the verified membership log gave them (read to pull, edit
    /// to push); a suggestions document, only the member whose it is (reading and writing
    /// it) while they may suggest to or edit its section.
    fn may_sync(
        &self,
        account: &str,
        document: &str,
        need: coplan_domain::membership::Right,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The plan's members other than its owner.
    fn members(
        &self,
        plan: &str,
    ) -> impl Future<Output = Result<Vec<MemberRow>, StoreError>> + Send;
    /// The account with this public signing key, and its receiving key.
    fn account_by_signing_key(
        &self,
        signing: &[u8],
    ) -> impl Future<Output = Result<Option<(String, Vec<u8>)>, StoreError>> + Send;
    /// The account's public signing key.
    fn signing_key(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;
    /// The account's public receiving key.
    fn receiving_key(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;
    /// Stores the plan's key envelopes, all or none.
    fn put_key_envelopes(
        &self,
        plan: &str,
        envelopes: &[NewKeyEnvelope<'_>],
    ) -> impl Future<Output = Result<KeysPut, StoreError>> + Send;
    /// The plan's key envelopes wrapped to `recipient`, by document and epoch.
    fn key_envelopes(
        &self,
        plan: &str,
        recipient: &[u8],
    ) -> impl Future<Output = Result<Vec<Vec<u8>>, StoreError>> + Send;
    /// The plan's membership log, every entry in order.
    fn membership(
        &self,
        plan: &str,
    ) -> impl Future<Output = Result<Vec<Vec<u8>>, StoreError>> + Send;
    /// Appends the entries to the plan's membership log as numbers `after`, `after + 1`,
    /// …, all or none, only if the log holds exactly `after` entries now; and, in the same
    /// transaction, makes `members` (account, rights) the plan's members, adds the
    /// suggestions documents the entries name, and moves each document in `epochs` on to
    /// its next epoch (only from the one before: two phones starting the same epoch
    /// cannot both) with the new epochs' key envelopes.
    fn append_membership(
        &self,
        plan: &str,
        appending: &Appending<'_>,
    ) -> impl Future<Output = Result<Appended, StoreError>> + Send;
    /// For each of `owner`'s plans with any, how many members the person should remove:
    /// they left (and the log still names them with some right), or the service turned
    /// their account off (and they still have some right).
    fn members_to_remove(
        &self,
        owner: &str,
    ) -> impl Future<Output = Result<Vec<(String, i64)>, StoreError>> + Send;
    /// `account` leaves `plan` on their own (a member, not its owner): from now on they
    /// keep no right to any of its documents, however the log grows. False when they
    /// were no member (or a removed one, or one left with no right), or had left already.
    fn leave_plan(
        &self,
        plan: &str,
        account: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The first client id of the range `phone` of `account` registered, if it is one of
    /// the account's phones.
    fn phone_range(
        &self,
        account: &str,
        phone: &str,
    ) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;
    /// Records an authorisation decision.
    fn audit(&self, entry: &AuditEntry<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The account's audit trail, oldest first.
    fn audit_trail(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Vec<AuditRow>, StoreError>> + Send;
    /// What accounts other than `owner` did with `plan` and its documents that its
    /// access log tells (received, sent, keys; allowed only), newest first, at most
    /// `limit`.
    fn access(
        &self,
        plan: &str,
        owner: &str,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AccessRow>, StoreError>> + Send;
}

/// The database chosen by `DATABASE_URL`.
#[derive(Clone)]
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Database {
    /// Connects to and migrates the database named by `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(SqliteStore::connect(url).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres(PostgresStore::connect(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// The PostgreSQL pool, for word between server processes (`crate::news`); None on
    /// SQLite, where one process serves.
    pub fn postgres_pool(&self) -> Option<sqlx::PgPool> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(s) => Some(s.pool().clone()),
        }
    }

    /// Waits for open connections to finish and closes them.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
    }
}

/// The same call on whichever database this is.
macro_rules! each {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Self::Sqlite($store) => $call,
            Self::Postgres($store) => $call,
        }
    };
}

impl CursorLog for Database {
    async fn create_document(&self, id: &str, log_id: &str) -> Result<(), StoreError> {
        each!(self, s => s.create_document(id, log_id).await)
    }

    async fn head(&self, id: &str) -> Result<Option<Head>, StoreError> {
        each!(self, s => s.head(id).await)
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
        each!(self, s => s.push(document, device, counter, body, covers, now_ms).await)
    }

    async fn pull(
        &self,
        document: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Logged>, StoreError> {
        each!(self, s => s.pull(document, after, limit).await)
    }

    async fn report(&self, document: &str, seq: i64) -> Result<bool, StoreError> {
        each!(self, s => s.report(document, seq).await)
    }

    async fn compact(&self, before_ms: i64) -> Result<Compacted, StoreError> {
        each!(self, s => s.compact(before_ms).await)
    }
}

impl Store for Database {
    fn kind(&self) -> &'static str {
        each!(self, s => s.kind())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        each!(self, s => s.ping().await)
    }

    async fn instance_id(&self, new_id: &str) -> Result<String, StoreError> {
        each!(self, s => s.instance_id(new_id).await)
    }

    async fn durability(&self) -> Result<Vec<Durability>, StoreError> {
        each!(self, s => s.durability().await)
    }

    async fn create_account(&self, new: &NewAccount<'_>) -> Result<Created, StoreError> {
        each!(self, s => s.create_account(new).await)
    }

    async fn account_by_name(&self, username: &str) -> Result<Option<AccountRow>, StoreError> {
        each!(self, s => s.account_by_name(username).await)
    }

    async fn start_session(
        &self,
        account: &str,
        session: &NewSession<'_>,
    ) -> Result<(), StoreError> {
        each!(self, s => s.start_session(account, session).await)
    }

    async fn use_recovery(
        &self,
        account: &str,
        recovery_hash: &[u8],
        session: &NewSession<'_>,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.use_recovery(account, recovery_hash, session).await)
    }

    async fn session(
        &self,
        token_hash: &[u8],
        now_ms: i64,
        limits: SessionLimits,
    ) -> Result<Option<SessionRow>, StoreError> {
        each!(self, s => s.session(token_hash, now_ms, limits).await)
    }

    async fn account(&self, id: &str) -> Result<Option<(String, bool)>, StoreError> {
        each!(self, s => s.account(id).await)
    }

    async fn phones(&self, account: &str) -> Result<Vec<PhoneRow>, StoreError> {
        each!(self, s => s.phones(account).await)
    }

    async fn delete_account(&self, id: &str) -> Result<bool, StoreError> {
        each!(self, s => s.delete_account(id).await)
    }

    async fn disable_account(
        &self,
        username: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        each!(self, s => s.disable_account(username, now_ms).await)
    }

    async fn second_factor(&self, account: &str) -> Result<Option<SecondFactor>, StoreError> {
        each!(self, s => s.second_factor(account).await)
    }

    async fn set_second_factor(
        &self,
        account: &str,
        secret: &[u8],
        step: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        each!(self, s => s.set_second_factor(account, secret, step, now_ms).await)
    }

    async fn take_second_factor_step(&self, account: &str, step: i64) -> Result<bool, StoreError> {
        each!(self, s => s.take_second_factor_step(account, step).await)
    }

    async fn remove_second_factor(&self, account: &str) -> Result<bool, StoreError> {
        each!(self, s => s.remove_second_factor(account).await)
    }

    async fn member_elsewhere(&self, account: &str) -> Result<bool, StoreError> {
        each!(self, s => s.member_elsewhere(account).await)
    }

    async fn remove_phone(&self, account: &str, phone: &str) -> Result<bool, StoreError> {
        each!(self, s => s.remove_phone(account, phone).await)
    }

    async fn set_passphrase(&self, account: &str, new: &NewSecrets<'_>) -> Result<(), StoreError> {
        each!(self, s => s.set_passphrase(account, new).await)
    }

    async fn forget_old(
        &self,
        limits_before_ms: i64,
        audit_before_ms: i64,
    ) -> Result<Forgotten, StoreError> {
        each!(self, s => s.forget_old(limits_before_ms, audit_before_ms).await)
    }

    async fn mark_restored(&self, new_log_id: &str) -> Result<u64, StoreError> {
        each!(self, s => s.mark_restored(new_log_id).await)
    }

    async fn take_token(
        &self,
        key: &[u8],
        bucket: Bucket,
        now_ms: i64,
    ) -> Result<Taken, StoreError> {
        each!(self, s => s.take_token(key, bucket, now_ms).await)
    }

    async fn attach_plan(&self, new: &NewPlan<'_>) -> Result<String, StoreError> {
        each!(self, s => s.attach_plan(new).await)
    }

    async fn plans(&self, owner: &str) -> Result<Vec<PlanRow>, StoreError> {
        each!(self, s => s.plans(owner).await)
    }

    async fn plan(&self, id: &str) -> Result<Option<PlanRow>, StoreError> {
        each!(self, s => s.plan(id).await)
    }

    async fn may_sync(
        &self,
        account: &str,
        document: &str,
        need: coplan_domain::membership::Right,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.may_sync(account, document, need).await)
    }

    async fn members(&self, plan: &str) -> Result<Vec<MemberRow>, StoreError> {
        each!(self, s => s.members(plan).await)
    }

    async fn account_by_signing_key(
        &self,
        signing: &[u8],
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        each!(self, s => s.account_by_signing_key(signing).await)
    }

    async fn signing_key(&self, account: &str) -> Result<Option<Vec<u8>>, StoreError> {
        each!(self, s => s.signing_key(account).await)
    }

    async fn receiving_key(&self, account: &str) -> Result<Option<Vec<u8>>, StoreError> {
        each!(self, s => s.receiving_key(account).await)
    }

    async fn put_key_envelopes(
        &self,
        plan: &str,
        envelopes: &[NewKeyEnvelope<'_>],
    ) -> Result<KeysPut, StoreError> {
        each!(self, s => s.put_key_envelopes(plan, envelopes).await)
    }

    async fn key_envelopes(
        &self,
        plan: &str,
        recipient: &[u8],
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        each!(self, s => s.key_envelopes(plan, recipient).await)
    }

    async fn membership(&self, plan: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        each!(self, s => s.membership(plan).await)
    }

    async fn append_membership(
        &self,
        plan: &str,
        appending: &Appending<'_>,
    ) -> Result<Appended, StoreError> {
        each!(self, s => s.append_membership(plan, appending).await)
    }

    async fn members_to_remove(&self, owner: &str) -> Result<Vec<(String, i64)>, StoreError> {
        each!(self, s => s.members_to_remove(owner).await)
    }

    async fn leave_plan(&self, plan: &str, account: &str, now_ms: i64) -> Result<bool, StoreError> {
        each!(self, s => s.leave_plan(plan, account, now_ms).await)
    }

    async fn phone_range(&self, account: &str, phone: &str) -> Result<Option<i64>, StoreError> {
        each!(self, s => s.phone_range(account, phone).await)
    }

    async fn audit(&self, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
        each!(self, s => s.audit(entry).await)
    }

    async fn audit_trail(&self, account: &str) -> Result<Vec<AuditRow>, StoreError> {
        each!(self, s => s.audit_trail(account).await)
    }

    async fn access(
        &self,
        plan: &str,
        owner: &str,
        limit: i64,
    ) -> Result<Vec<AccessRow>, StoreError> {
        each!(self, s => s.access(plan, owner, limit).await)
    }
}

impl invites::InviteStore for Database {
    async fn open_invite(
        &self,
        new: &invites::OpenInvite<'_>,
    ) -> Result<invites::Opened, StoreError> {
        each!(self, s => s.open_invite(new).await)
    }

    async fn redeem_invite(&self, new: &invites::NewRedemption<'_>) -> Result<bool, StoreError> {
        each!(self, s => s.redeem_invite(new).await)
    }

    async fn invite(
        &self,
        id_hash: &[u8],
        now_ms: i64,
    ) -> Result<Option<invites::InviteRow>, StoreError> {
        each!(self, s => s.invite(id_hash, now_ms).await)
    }

    async fn person_nonce(
        &self,
        id_hash: &[u8],
        plan: &str,
        nonce: &[u8],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.person_nonce(id_hash, plan, nonce, now_ms).await)
    }

    async fn joiner_nonce(
        &self,
        id_hash: &[u8],
        joiner: &str,
        nonce: &[u8],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.joiner_nonce(id_hash, joiner, nonce, now_ms).await)
    }

    async fn close_invite(&self, id_hash: &[u8], plan: &str) -> Result<bool, StoreError> {
        each!(self, s => s.close_invite(id_hash, plan).await)
    }

    async fn forget_invites(&self, before_ms: i64) -> Result<u64, StoreError> {
        each!(self, s => s.forget_invites(before_ms).await)
    }
}
