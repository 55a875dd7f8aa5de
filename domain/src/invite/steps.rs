//! What each phone does next in an invite, from the exchange as the server last showed it
//! ([`InviteState`]). Both phones run these on every read, so each check is made on
//! whatever the server says, every time: a server that changes its story part-way
//! (another joiner, another nonce, another key for the person) is caught at the read
//! where it changes.

use super::{Exchange, InviteId, Secret, TypedCode, fingerprint, opens, proof_holds};
use crate::keys::PublicKeys;
use crate::wire::{InviteState, Joiner};

/// Why a phone stops an invite. Each is said plainly on screen; none is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The redeeming phone does not hold the code's secret: a wrong code, or someone (the
    /// server included) guessing.
    WrongProof,
    /// The joining phone's nonce does not open what it committed to: its keys or nonce
    /// changed part-way.
    DoesNotOpen,
    /// The person's own account redeemed it.
    OwnAccount,
    /// The person's keys are not those the QR code named.
    NotThePerson,
    /// What the server shows is not what this phone sent (another redemption, another
    /// nonce): someone else is in the exchange.
    NotWhatWasSent,
}

/// What the person's phone does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonStep {
    /// Nobody has redeemed the code yet.
    Waiting,
    /// Someone holding the code redeemed it: send this phone's nonce.
    SendNonce,
    /// The nonce is sent: waiting for the joining phone to reveal its own.
    WaitingReveal,
    /// The exchange is complete: the person decides. `check` is the number both people
    /// compare (None after a scan, when the long secret already bound both keys).
    Decide {
        joiner: Box<Joiner>,
        keys: PublicKeys,
        check: Option<u32>,
    },
    Stop(Stop),
}

/// What the person's phone made: the code, the long secret the QR code carries, its own
/// keys and the nonce it will send.
#[derive(Debug, Clone, Copy)]
pub struct PersonSide {
    pub code: TypedCode,
    pub long: [u8; 32],
    pub person: PublicKeys,
    pub nonce: [u8; 32],
}

impl PersonSide {
    /// The QR code's secret, as the joining phone would hold it after a scan.
    pub fn scanned(&self) -> super::Scanned {
        super::Scanned {
            code: self.code,
            long: self.long,
            fingerprint: fingerprint(&self.person),
        }
    }

    pub fn next(&self, state: &InviteState) -> PersonStep {
        let Some(joiner) = &state.joiner else {
            return PersonStep::Waiting;
        };
        let keys = PublicKeys {
            signing: joiner.signing.0,
            receiving: joiner.receiving.0,
        };
        if keys.signing == self.person.signing || keys.receiving == self.person.receiving {
            return PersonStep::Stop(Stop::OwnAccount);
        }
        let secret = if joiner.scanned {
            Secret::Scanned(self.scanned())
        } else {
            Secret::Typed(self.code)
        };
        if !proof_holds(&secret, &keys, &joiner.commitment.0, &joiner.proof.0) {
            return PersonStep::Stop(Stop::WrongProof);
        }
        match state.person_nonce.as_ref().map(|n| n.0) {
            None => return PersonStep::SendNonce,
            Some(sent) if sent != self.nonce => return PersonStep::Stop(Stop::NotWhatWasSent),
            Some(_) => {}
        }
        let Some(revealed) = state.joiner_nonce.as_ref().map(|n| n.0) else {
            return PersonStep::WaitingReveal;
        };
        if !opens(self.code.id(), &keys, &revealed, &joiner.commitment.0) {
            return PersonStep::Stop(Stop::DoesNotOpen);
        }
        let check = (!joiner.scanned).then(|| {
            Exchange {
                id: self.code.id(),
                joiner: keys,
                commitment: joiner.commitment.0,
                person: self.person,
                person_nonce: self.nonce,
                joiner_nonce: revealed,
            }
            .check_number()
        });
        PersonStep::Decide {
            joiner: Box::new(joiner.clone()),
            keys,
            check,
        }
    }
}

/// What the joining phone does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinerStep {
    /// Waiting for the person's phone to answer.
    Waiting,
    /// The person's nonce is there: reveal this phone's.
    SendNonce,
    /// Revealed: waiting for the person to accept. `person` is the key to pin for the
    /// plan's membership log; `check` the number both people compare (None after a scan).
    Revealed {
        person: PublicKeys,
        plan: String,
        check: Option<u32>,
    },
    Stop(Stop),
}

/// What the joining phone holds: the code as typed or scanned, its account's keys, and
/// the nonce it committed to.
#[derive(Debug, Clone, Copy)]
pub struct JoinerSide {
    pub secret: Secret,
    pub keys: PublicKeys,
    pub nonce: [u8; 32],
}

impl JoinerSide {
    pub fn id(&self) -> InviteId {
        self.secret.code().id()
    }

    /// The commitment sent with the redemption.
    pub fn commitment(&self) -> [u8; 32] {
        super::commitment(self.id(), &self.keys, &self.nonce)
    }

    /// The proof sent with the redemption.
    pub fn proof(&self) -> [u8; 32] {
        super::proof(&self.secret, &self.keys, &self.commitment())
    }

    pub fn next(&self, state: &InviteState) -> JoinerStep {
        let person = PublicKeys {
            signing: state.signing.0,
            receiving: state.receiving.0,
        };
        if let Secret::Scanned(scanned) = &self.secret
            && fingerprint(&person) != scanned.fingerprint
        {
            return JoinerStep::Stop(Stop::NotThePerson);
        }
        let ours = state.joiner.as_ref().is_some_and(|j| {
            j.signing.0 == self.keys.signing
                && j.receiving.0 == self.keys.receiving
                && j.commitment.0 == self.commitment()
                && j.scanned == matches!(self.secret, Secret::Scanned(_))
        });
        if !ours {
            return JoinerStep::Stop(Stop::NotWhatWasSent);
        }
        let Some(person_nonce) = state.person_nonce.as_ref().map(|n| n.0) else {
            return JoinerStep::Waiting;
        };
        match state.joiner_nonce.as_ref().map(|n| n.0) {
            None => return JoinerStep::SendNonce,
            Some(sent) if sent != self.nonce => return JoinerStep::Stop(Stop::NotWhatWasSent),
            Some(_) => {}
        }
        let check = matches!(self.secret, Secret::Typed(_)).then(|| {
            Exchange {
                id: self.id(),
                joiner: self.keys,
                commitment: self.commitment(),
                person,
                person_nonce,
                joiner_nonce: self.nonce,
            }
            .check_number()
        });
        JoinerStep::Revealed {
            person,
            plan: state.plan.clone(),
            check,
        }
    }
}
