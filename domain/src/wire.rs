//! What a phone and the server say to each other under `/api/v1`, as JSON. One set of
//! types for both sides, so they cannot drift apart; `domain/tests/wire.rs` pins each
//! one's exact text. Bytes travel as unpadded base64url, each field with a fixed or
//! bounded length that decoding checks, so a wrong size never reaches a handler.
//!
//! Version 1. A change that an older phone would misread is a new `/api/vN`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::account::StretchCost;

/// The API version these types describe.
pub const API_VERSION: u32 = 1;

/// The most bytes a wrapped set of account keys may take (two 32-byte private keys
/// sealed, with room for a format byte and a nonce).
pub const MAX_WRAPPED_KEYS: usize = 256;

/// The longest name a person may give a phone, in characters.
pub const MAX_PHONE_NAME_CHARS: usize = 40;

/// Exactly `N` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Bytes<const N: usize>(pub [u8; N]);

/// At most `MAX` bytes, and at least one.
#[derive(Clone, PartialEq, Eq)]
pub struct Blob<const MAX: usize>(Vec<u8>);

impl<const N: usize> std::fmt::Debug for Bytes<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes<{N}>(…)")
    }
}

impl<const MAX: usize> std::fmt::Debug for Blob<MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl<const MAX: usize> Blob<MAX> {
    /// None when empty or longer than `MAX`.
    pub fn new(bytes: Vec<u8>) -> Option<Self> {
        (!bytes.is_empty() && bytes.len() <= MAX).then_some(Self(bytes))
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl<const N: usize> Serialize for Bytes<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl<'de, const N: usize> Deserialize<'de> for Bytes<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes = decode(deserializer, N)?;
        let array = bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom(format!("expected {N} bytes")))?;
        Ok(Self(array))
    }
}

impl<const MAX: usize> Serialize for Blob<MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&URL_SAFE_NO_PAD.encode(&self.0))
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Blob<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes = decode(deserializer, MAX)?;
        Self::new(bytes).ok_or_else(|| serde::de::Error::custom("expected some bytes"))
    }
}

/// Base64url text of at most `max` bytes, decoded (longer text is refused before it is
/// decoded).
fn decode<'de, D: Deserializer<'de>>(deserializer: D, max: usize) -> Result<Vec<u8>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    if text.len() > max.div_ceil(3) * 4 {
        return Err(serde::de::Error::custom(format!("more than {max} bytes")));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .map_err(|_| serde::de::Error::custom("not base64url"))?;
    if bytes.len() > max {
        return Err(serde::de::Error::custom(format!("more than {max} bytes")));
    }
    Ok(bytes)
}

/// How hard a passphrase is stretched, as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub memory_kib: u32,
    pub passes: u32,
}

impl From<StretchCost> for Cost {
    fn from(cost: StretchCost) -> Self {
        Self {
            memory_kib: cost.memory_kib,
            passes: cost.passes,
        }
    }
}

impl Cost {
    /// The cost as the stretch takes it, if it is at least [`StretchCost::MINIMUM`] and at
    /// most what a phone can be asked for (1 GiB, 10 passes): a phone never stretches
    /// less than the minimum whatever a server says.
    pub fn checked(self) -> Option<StretchCost> {
        let min = StretchCost::MINIMUM;
        let ok = (min.memory_kib..=1024 * 1024).contains(&self.memory_kib)
            && (min.passes..=10).contains(&self.passes);
        ok.then_some(StretchCost {
            memory_kib: self.memory_kib,
            passes: self.passes,
        })
    }
}

/// `GET /api/v1/server`: what a phone needs before anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerInfo {
    /// The server's lasting id, which goes into every account's salt.
    pub server_id: String,
    pub api: u32,
    /// The cost new accounts and changed passphrases are stretched with.
    pub cost: Cost,
}

/// An account's public keys and its private keys wrapped (sealed under a key the server
/// never sees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountKeys {
    /// Ed25519: signs the membership log, key envelopes and changes.
    pub signing: Bytes<32>,
    /// X25519: receives section keys.
    pub receiving: Bytes<32>,
    pub wrapped: Blob<MAX_WRAPPED_KEYS>,
}

/// What the recovery code opens: its verifier (the server keeps only a hash) and the
/// private keys wrapped under the key it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryKeys {
    pub verifier: Bytes<32>,
    pub wrapped: Blob<MAX_WRAPPED_KEYS>,
}

/// `POST /api/v1/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    pub username: String,
    pub verifier: Bytes<32>,
    pub cost: Cost,
    pub keys: AccountKeys,
    pub recovery: RecoveryKeys,
    pub phone_name: String,
    /// The first Yrs client id of this phone's range (a multiple of
    /// [`crate::membership::CLIENT_RANGE`]): what it writes under, registered so that no
    /// other phone of the account uses it.
    pub range_start: u32,
}

/// `POST /api/v1/sign-in/cost`: the cost to stretch this name's passphrase with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostAsk {
    pub username: String,
}

/// `POST /api/v1/sessions` (with the passphrase's verifier) and
/// `POST /api/v1/sessions/recovery` (with the recovery code's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub verifier: Bytes<32>,
    pub phone_name: String,
    /// As in [`SignUp::range_start`].
    pub range_start: u32,
    /// The code the account's second factor shows now (6 digits), for an account that has
    /// one: asked for (`second_factor_needed`) once the passphrase or recovery code is right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// `PUT /api/v1/account/second-factor`: a time-based code's secret (RFC 6238, drawn by
/// the phone and shown once to the authenticator app), with the code the app shows now,
/// which proves the app took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSecondFactor {
    pub secret: Bytes<{ crate::totp::SECRET_BYTES }>,
    pub code: String,
}

/// The answer to a sign-up or sign-in: who this is, and the keys to open (wrapped under
/// the passphrase, or under the recovery code after a recovery).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedIn {
    pub account: String,
    pub phone: String,
    pub keys: AccountKeys,
}

/// `PUT /api/v1/account/passphrase`: a new passphrase and, with it, a new recovery code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassphrase {
    pub verifier: Bytes<32>,
    pub cost: Cost,
    pub wrapped: Blob<MAX_WRAPPED_KEYS>,
    pub recovery: RecoveryKeys,
    /// The verifier of the passphrase in use now: proof for a change made more than 15
    /// minutes after signing in (checked whenever it is sent). Absent after recovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Bytes<32>>,
}

/// `GET /api/v1/account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub username: String,
    /// False after the recovery code was used, until a new one is made.
    pub has_recovery: bool,
    /// Newest first.
    pub phones: Vec<Phone>,
    /// The account signs in with a second factor (sent only when it does, so a phone
    /// still running an older build reads the answer as before).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub second_factor: bool,
}

/// One phone signed in to the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    pub id: String,
    pub name: String,
    pub signed_in_ms: i64,
    pub last_seen_ms: i64,
    /// The phone that asked.
    pub this_phone: bool,
}

/// Whether `start` can begin a phone's client-id range: a non-zero multiple of
/// [`crate::membership::CLIENT_RANGE`] whose whole range fits in 32 bits.
pub fn range_start_ok(start: u32) -> bool {
    use crate::membership::CLIENT_RANGE;
    start != 0
        && start.is_multiple_of(CLIENT_RANGE)
        && start.checked_add(CLIENT_RANGE - 1).is_some()
}

/// A phone's name, as the person typed it: trimmed, 1 to [`MAX_PHONE_NAME_CHARS`]
/// characters, no control characters. None otherwise.
pub fn phone_name(typed: &str) -> Option<String> {
    let name = typed.trim();
    let count = name.chars().count();
    ((1..=MAX_PHONE_NAME_CHARS).contains(&count) && !name.chars().any(char::is_control))
        .then(|| name.to_string())
}

/// `POST /api/v1/plans`: attach the plan on this phone to the account. `request` is a
/// random id the phone keeps until it has the answer: a retry with the same one gets the
/// same plan back, never a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachPlan {
    pub request: Bytes<16>,
}

/// A plan on the server: its id and one document per section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachedPlan {
    pub plan: String,
    pub documents: Vec<PlanDocument>,
    /// In the owner's list of plans: how many members the person should remove, because
    /// they left or the service turned their account off (left out while none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub to_remove: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One section's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    /// The section's stored name (`about_me`, `safety_plan`, …).
    pub section: String,
    pub id: String,
}

/// The most key envelopes one request carries: every document of a plan, for every
/// reader and epoch a request needs, with room to spare.
pub const MAX_KEY_ENVELOPES: usize = 512;

/// `PUT /api/v1/plans/{plan}/keys` (the owner's phone stores a plan's key envelopes) and
/// `GET` of the same (a reader's phone fetches those wrapped to it): each exactly as
/// [`crate::key_envelope`] writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEnvelopes {
    pub envelopes: Vec<Blob<{ crate::key_envelope::KEY_ENVELOPE_BYTES }>>,
}

/// `GET /api/v1/plans/{plan}/members`: the plan's membership log, every entry from the
/// first, exactly as [`crate::membership`] writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipLog {
    pub entries: Vec<Blob<{ crate::membership::ENTRY_MAX_BYTES }>>,
}

/// `POST /api/v1/plans/{plan}/members`: entries to add after the first `after` (the
/// entries the phone has): stored all or none, and only if the log still holds exactly
/// `after` entries. When the entries start key epochs (a member removed), `keys` holds
/// each new epoch's key envelopes, one for every reader, stored with them in the same
/// commit (left out when empty, so an append without epochs reads as before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppendMembership {
    pub after: u32,
    pub entries: Vec<Blob<{ crate::membership::ENTRY_MAX_BYTES }>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<Blob<{ crate::key_envelope::KEY_ENVELOPE_BYTES }>>,
}

/// The most entries one append may carry.
pub const MAX_APPENDED_ENTRIES: usize = 64;

/// `GET /api/v1/plans`: the account's plans, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plans {
    pub plans: Vec<AttachedPlan>,
}

/// `GET /api/v1/account/export`: everything the server holds about the account, for the
/// person to keep before they leave. Plan content is in it only sealed, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub username: String,
    pub has_recovery: bool,
    pub signing: Bytes<32>,
    pub receiving: Bytes<32>,
    pub phones: Vec<Phone>,
    pub plans: Vec<ExportedPlan>,
    /// Every decision the server recorded about this account's requests.
    pub audit: Vec<AuditLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedPlan {
    pub plan: String,
    pub documents: Vec<ExportedDocument>,
    /// The plan's key envelopes wrapped to this account, as stored.
    pub keys: Vec<Blob<{ crate::key_envelope::KEY_ENVELOPE_BYTES }>>,
    /// The plan's membership log, every entry in order.
    pub members: Vec<Blob<{ crate::membership::ENTRY_MAX_BYTES }>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedDocument {
    pub section: String,
    pub id: String,
    pub envelopes: Vec<ExportedEnvelope>,
}

/// One sealed envelope as the server stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEnvelope {
    pub seq: u64,
    pub received_ms: u64,
    pub sealed: Blob<{ crate::limits::ENVELOPE_MAX_BYTES }>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditLine {
    pub at_ms: i64,
    pub action: String,
    pub target: String,
    pub allowed: bool,
}

/// How long an invite works from when it is opened: the two people are in the room.
pub const INVITE_LIFETIME_MS: i64 = 15 * 60 * 1000;
/// The most invites one plan may have open at once.
pub const MAX_OPEN_INVITES: usize = 5;

/// `POST /api/v1/plans/{plan}/invites`: the person's phone opens an invite under the id
/// it drew ([`crate::invite::InviteId::to_text`], the typed code's first six characters).
/// The secret parts never reach the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvite {
    pub id: String,
}

/// The answer: when the invite stops working (milliseconds since 1970).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteOpened {
    pub expires_ms: i64,
}

/// `POST /api/v1/invites/{id}/redemption`: the joining phone's commitment and proof
/// ([`crate::invite`]). Its keys are its account's, as the server holds them. Exactly one
/// redemption of an invite succeeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redemption {
    pub commitment: Bytes<32>,
    pub proof: Bytes<32>,
    /// Whether the joining phone scanned the QR code (then its proof is made with the
    /// long secret too), or the code was typed.
    pub scanned: bool,
}

/// `POST /api/v1/plans/{plan}/invites/{id}/nonce` (the person's phone, after the
/// redemption) and `POST /api/v1/invites/{id}/nonce` (the joining phone, after the
/// person's): each side's random nonce. Sending the same again is harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteNonce {
    pub nonce: Bytes<32>,
}

/// Who redeemed an invite, as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Joiner {
    pub username: String,
    /// The phone that redeemed the invite, and the first client id of its range: the
    /// person's phone adds it to the plan's membership log on accepting.
    pub phone: String,
    pub range_start: u32,
    pub signing: Bytes<32>,
    pub receiving: Bytes<32>,
    pub commitment: Bytes<32>,
    pub proof: Bytes<32>,
    pub scanned: bool,
}

/// `GET /api/v1/plans/{plan}/invites/{id}` (the person) and `GET /api/v1/invites/{id}`
/// (the account that redeemed it): the exchange so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteState {
    /// The plan's id: the joining phone reads the plan's membership log there once the
    /// person has accepted, and checks it against the person's keys below.
    pub plan: String,
    pub expires_ms: i64,
    /// The person's public keys (the plan's owner).
    pub signing: Bytes<32>,
    pub receiving: Bytes<32>,
    pub joiner: Option<Joiner>,
    pub person_nonce: Option<Bytes<32>>,
    pub joiner_nonce: Option<Bytes<32>>,
}

/// `GET /api/v1/plans/{plan}/people`, for the plan's owner: the username of each member's
/// account, by its signing key (the membership log names members only by their keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    pub people: Vec<Someone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Someone {
    pub signing: Bytes<32>,
    pub username: String,
    /// The service turned their account off (a worker who left): the person is asked to
    /// remove them, which starts new keys. Left out while false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// They left the plan on their own: the server refuses them already, and the
    /// person's phone removes them, which starts new keys. Left out while false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub left: bool,
}

/// `GET /api/v1/plans/{plan}/access`: what the server recorded other accounts doing with
/// the plan, for its owner's phone to put in words (the access log): newest first, at
/// most [`ACCESS_MAX_ENTRIES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLog {
    pub entries: Vec<Access>,
}

/// One thing an account did: `received` (a document's changes reached its phone), `sent`
/// (its phone's changes to a document were stored) or `keys` (it fetched the plan's
/// keys); `target` is the document's id, or the plan's for `keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub at_ms: u64,
    pub who: Bytes<32>,
    pub action: String,
    pub target: String,
}

/// The access log as the person's phone last put it in words, kept sealed on that phone
/// so it reads offline. Stored format, version [`ACCESS_COPY_VERSION`]; pinned by
/// `domain/tests/wire.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessCopy {
    pub v: u32,
    /// When it was fetched (milliseconds since 1970).
    pub at_ms: u64,
    pub lines: Vec<String>,
}

/// The access copy's format this build writes.
pub const ACCESS_COPY_VERSION: u32 = 1;

/// Who can see and change each part of a plan, in words, as this phone last worked it out
/// (`src/plan/readers.rs`), by each section's stored name; kept sealed beside the plan's
/// sync record so a writing screen opened offline still says it. Stored format, version
/// [`READERS_COPY_VERSION`]; pinned by `domain/tests/wire.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadersCopy {
    pub v: u32,
    pub lines: std::collections::BTreeMap<String, String>,
}

/// The readers copy's format this build writes.
pub const READERS_COPY_VERSION: u32 = 1;

/// The most entries one access log answer holds.
pub const ACCESS_MAX_ENTRIES: usize = 2000;
