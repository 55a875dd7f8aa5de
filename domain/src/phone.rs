//! Phone numbers as people type them: UK numbers, 3–6 digit service numbers and short
//! codes (111, 999, 116 123, 85258), and numbers abroad written with `+` or `00`.

use std::fmt;

/// The most characters a phone number field accepts, spaces and brackets included.
pub const MAX_PHONE_CHARS: usize = 32;

/// Why a phone number was not accepted (the app's `i18n` words each for a person).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone: empty")]
    Empty,
    #[error("phone: over {MAX_PHONE_CHARS} characters")]
    TooLong,
    #[error("phone: bad character")]
    BadCharacter,
    #[error("phone: wrong length")]
    WrongLength,
}

/// A phone number that a phone can dial: the words as typed, and the digits to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    as_typed: String,
    dial: String,
}

impl PhoneNumber {
    /// Checks a number as a person typed it.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let as_typed = input.trim();
        if as_typed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if as_typed.chars().count() > MAX_PHONE_CHARS {
            return Err(PhoneError::TooLong);
        }
        let (international, rest) = match as_typed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, as_typed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(PhoneError::BadCharacter),
            }
        }
        let dial = if international {
            international_number(&digits)?
        } else if let Some(abroad) = digits.strip_prefix("00") {
            international_number(abroad)?
        } else if digits.starts_with('0') {
            // A UK number: a leading 0 and 9 or 10 more digits.
            if !(10..=11).contains(&digits.len()) {
                return Err(PhoneError::WrongLength);
            }
            digits
        } else {
            // A service number or short code: 111, 999, 116 123, 85258.
            if !(3..=6).contains(&digits.len()) {
                return Err(PhoneError::WrongLength);
            }
            digits
        };
        Ok(Self {
            as_typed: as_typed.to_string(),
            dial,
        })
    }

    /// The number as the person wrote it (trimmed).
    pub fn as_typed(&self) -> &str {
        &self.as_typed
    }

    /// What the phone dials: digits, with a leading `+` for numbers abroad.
    pub fn dial(&self) -> &str {
        &self.dial
    }

    /// The one-tap link to call this number.
    pub fn tel_href(&self) -> String {
        format!("tel:{}", self.dial)
    }

    /// The one-tap link to text this number.
    pub fn sms_href(&self) -> String {
        format!("sms:{}", self.dial)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_typed)
    }
}

/// A country code and number: 8 to 15 digits (ITU E.164), never starting with 0.
fn international_number(digits: &str) -> Result<String, PhoneError> {
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(PhoneError::WrongLength);
    }
    Ok(format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dial(input: &str) -> String {
        PhoneNumber::parse(input)
            .unwrap_or_else(|e| panic!("{input:?} was refused: {e}"))
            .dial()
            .to_string()
    }

    #[test]
    fn service_numbers_and_short_codes_are_accepted() {
        assert_eq!(dial("116 123"), "116123");
        assert_eq!(dial("999"), "999");
        assert_eq!(dial("111"), "111");
        assert_eq!(dial("85258"), "85258");
    }

    #[test]
    fn uk_numbers_are_accepted_with_any_spacing() {
        assert_eq!(dial("07700 900123"), "07700900123");
        assert_eq!(dial("(020) 7946-0018"), "02079460018");
    }

    #[test]
    fn numbers_abroad_are_accepted_with_plus_or_double_zero() {
        assert_eq!(dial("+353 1 234 5678"), "+35312345678");
        assert_eq!(dial("00353 1 234 5678"), "+35312345678");
        let n = PhoneNumber::parse("+353 1 234 5678").unwrap();
        assert_eq!(n.tel_href(), "tel:+35312345678");
        assert_eq!(n.sms_href(), "sms:+35312345678");
        assert_eq!(n.to_string(), "+353 1 234 5678");
    }

    #[test]
    fn bad_numbers_are_refused_with_the_reason() {
        assert_eq!(PhoneNumber::parse("  "), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("12"), Err(PhoneError::WrongLength));
        assert_eq!(PhoneNumber::parse("0770090"), Err(PhoneError::WrongLength));
        assert_eq!(
            PhoneNumber::parse("+0 123 456 789"),
            Err(PhoneError::WrongLength)
        );
        assert_eq!(
            PhoneNumber::parse("call 999"),
            Err(PhoneError::BadCharacter)
        );
        assert_eq!(
            PhoneNumber::parse("1 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7 8"),
            Err(PhoneError::TooLong)
        );
    }
}
