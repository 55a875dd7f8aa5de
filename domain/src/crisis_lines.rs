//! The 24/7 lines every Coplan screen offers, shipped as data so their digits are pinned by
//! tests and the same numbers reach the app, the static fallback page and the paper copy.

/// How a line is reached: by calling, or by texting a word to a short code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contact {
    /// Call this number.
    Call { number: &'static str },
    /// Send `word` by text message to `number`.
    Text {
        number: &'static str,
        word: &'static str,
    },
}

/// One 24/7 service a person can reach at any hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrisisLine {
    /// A stable id, used by the app to find its words in the translation layer.
    pub id: &'static str,
    /// The service's own name, not translated.
    pub name: &'static str,
    pub contact: Contact,
}

impl CrisisLine {
    /// The link a phone opens in one tap: `tel:` to call, `sms:` to text.
    ///
    /// Menu choices (NHS 111's "option 2") are said in words beside the link, never put in
    /// it: a dial string with pauses behaves differently on every phone.
    pub fn href(&self) -> String {
        match self.contact {
            Contact::Call { number } => format!("tel:{}", digits(number)),
            Contact::Text { number, word } => format!("sms:{}?body={}", digits(number), word),
        }
    }

    /// The number as people read and say it, with its usual spacing.
    pub fn display_number(&self) -> &'static str {
        match self.contact {
            Contact::Call { number } | Contact::Text { number, .. } => number,
        }
    }
}

fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// The lines offered to everyone, in the order they are shown.
pub const CRISIS_LINES: [CrisisLine; 4] = [
    CrisisLine {
        id: "samaritans",
        name: "Samaritans",
        contact: Contact::Call { number: "116 123" },
    },
    CrisisLine {
        id: "nhs111",
        name: "NHS 111",
        contact: Contact::Call { number: "111" },
    },
    CrisisLine {
        id: "shout",
        name: "Shout",
        contact: Contact::Text {
            number: "85258",
            word: "SHOUT",
        },
    },
    CrisisLine {
        id: "emergency",
        name: "999",
        contact: Contact::Call { number: "999" },
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str) -> CrisisLine {
        *CRISIS_LINES
            .iter()
            .find(|l| l.id == id)
            .expect("line exists")
    }

    #[test]
    fn the_digits_and_links_of_every_line_are_pinned() {
        let links: Vec<(&str, String)> = CRISIS_LINES.iter().map(|l| (l.id, l.href())).collect();
        assert_eq!(
            links,
            vec![
                ("samaritans", "tel:116123".to_string()),
                ("nhs111", "tel:111".to_string()),
                ("shout", "sms:85258?body=SHOUT".to_string()),
                ("emergency", "tel:999".to_string()),
            ]
        );
        assert_eq!(line("samaritans").display_number(), "116 123");
        assert_eq!(line("shout").display_number(), "85258");
    }

    #[test]
    fn every_line_number_is_a_valid_phone_number() {
        for l in CRISIS_LINES {
            crate::PhoneNumber::parse(l.display_number())
                .unwrap_or_else(|e| panic!("{} has a bad number: {e}", l.id));
        }
    }
}
