//! Deterministic stand-in text for documents whose text the emulator cannot read:
//! plausible lines (a title, a few `Key: Value` fields, a sentence) derived from the
//! SHA-256 of the input, so the same input always reads the same.

use sha2::{Digest, Sha256};

const FIRST_NAMES: &[&str] = &[
    "Alice", "Bruno", "Chen", "Dana", "Elif", "Farah", "Goro", "Hana", "Ivan", "Jia",
];
const LAST_NAMES: &[&str] = &[
    "Novak", "Silva", "Wang", "Okafor", "Kaya", "Haddad", "Sato", "Lee", "Petrov", "Li",
];
const WORDS: &[&str] = &[
    "the", "shipment", "arrived", "on", "schedule", "and", "was", "checked", "against", "order",
    "records", "payment", "is", "due", "within", "thirty", "days", "of", "receipt", "please",
    "keep", "this", "document", "for", "your",
];

fn pick<'a>(list: &[&'a str], byte: u8) -> &'a str {
    list.get(usize::from(byte) % list.len().max(1))
        .copied()
        .unwrap_or_default()
}

/// Lines for page `page` (1-based) of the input whose SHA-256 is `digest`.
pub(crate) fn lines(digest: &[u8; 32], page: usize, title: Option<&str>) -> Vec<String> {
    let mut h = Sha256::new();
    h.update(digest);
    h.update((page as u64).to_le_bytes());
    let b: [u8; 32] = h.finalize().into();
    let title = match title {
        Some(t) if page == 1 => t.to_owned(),
        _ => format!("Document {}", hex::encode(&b[..4])),
    };
    let number = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) % 1_000_000;
    let month = 1 + b[8] % 12;
    let day = 1 + b[9] % 28;
    let cents = u32::from(u16::from_le_bytes([b[10], b[11]]));
    let sentence: Vec<&str> = (12..20).map(|i| pick(WORDS, b[i])).collect();
    let mut sentence = sentence.join(" ");
    if let Some(first) = sentence.get(..1) {
        sentence = format!("{}{}.", first.to_uppercase(), &sentence[1..]);
    }
    vec![
        title,
        format!("Invoice Number: INV-{number:06}"),
        format!("Date: 2024-{month:02}-{day:02}"),
        format!(
            "Name: {} {}",
            pick(FIRST_NAMES, b[20]),
            pick(LAST_NAMES, b[21])
        ),
        format!("Total: {}.{:02}", cents / 10, cents % 100),
        sentence,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_page_dependent() {
        let d = [7u8; 32];
        assert_eq!(lines(&d, 1, None), lines(&d, 1, None));
        assert_ne!(lines(&d, 1, None), lines(&d, 2, None));
        assert_eq!(lines(&d, 1, Some("scan.png"))[0], "scan.png");
        assert!(lines(&d, 1, None)[1].starts_with("Invoice Number: INV-"));
    }
}
