//! The issuer and account name: what an app shows, so nothing in them may
//! change how they read without being seen, or be read as the separator.

use crate::uri::UriError;
use crate::uri::error::{Field, Kind};

/// The code points of general category Cf (format characters, the bidi
/// controls of UAX #9 among them), from the Unicode Character Database
/// (DerivedGeneralCategory.txt: 170 code points in 21 ranges), then the line
/// and paragraph separators (Zl, Zp), which break a label in two.
const INVISIBLE: [(char, char); 23] = [
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
    ('\u{2028}', '\u{2028}'),
    ('\u{2029}', '\u{2029}'),
];

/// Whether `c` is a format character or a line or paragraph separator.
fn is_invisible(c: char) -> bool {
    INVISIBLE.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// Checks the names as a [`KeyUri`](crate::uri::KeyUri) holds them (an empty
/// issuer already made none, leading spaces of the account dropped).
pub(super) fn check(issuer: Option<&str>, account: &str) -> Result<(), UriError> {
    if account.is_empty() {
        return Err(UriError::new(Kind::MissingAccount));
    }
    let names = issuer.map(|i| (Field::Issuer, i));
    for (field, name) in names.into_iter().chain([(Field::Account, account)]) {
        if name.chars().any(char::is_control) {
            return Err(UriError::new(Kind::Control(field)));
        }
        if name.chars().any(is_invisible) {
            return Err(UriError::new(Kind::Format(field)));
        }
    }
    if issuer.is_some_and(|i| i.contains(':')) {
        return Err(UriError::new(Kind::ColonInIssuer));
    }
    if issuer.is_none() && account.contains(':') {
        return Err(UriError::new(Kind::ColonWithoutIssuer));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_disjoint_and_counts_172_code_points() {
        let cf: u32 = INVISIBLE
            .iter()
            .map(|&(lo, hi)| u32::from(hi) - u32::from(lo) + 1)
            .sum();
        assert_eq!(cf, 170 + 2);
        for pair in INVISIBLE[..21].windows(2) {
            assert!(pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn the_cf_ranges_are_maximal_and_their_ends_are_refused() {
        let cf = &INVISIBLE[..21];
        let in_cf = |c: char| cf.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
        for &(lo, hi) in cf {
            assert!(is_invisible(lo) && is_invisible(hi));
            let below = char::from_u32(u32::from(lo) - 1).unwrap();
            let above = char::from_u32(u32::from(hi) + 1).unwrap();
            assert!(!in_cf(below) && !in_cf(above), "{lo:?}..={hi:?}");
        }
        for visible in [
            'a',
            ' ',
            '\u{A0}',
            '\u{301}',
            '\u{FE0F}',
            '\u{1F35E}',
            '\u{E0080}',
        ] {
            assert!(!is_invisible(visible), "{visible:?}");
        }
    }
}
