//! Small pieces shared by the text forms (private): decimal fields and serde
//! through `Display`/`FromStr`.

/// A canonical decimal `u64`: ASCII digits only, no sign, no leading zero
/// (except `0` itself), no overflow. Stored state is written in this form
/// only, so anything else is a sign of tampering or corruption.
pub(crate) fn canonical_u64(field: &str) -> Option<u64> {
    let canonical = !field.is_empty()
        && field.len() <= 20
        && field.bytes().all(|b| b.is_ascii_digit())
        && (field == "0" || !field.starts_with('0'));
    canonical.then(|| field.parse().ok()).flatten()
}

/// A decimal `u64` as other programs write it: ASCII digits only, leading
/// zeros allowed, no overflow.
pub(crate) fn lenient_u64(field: &str) -> Option<u64> {
    if field.is_empty() {
        return None;
    }
    field.bytes().try_fold(0u64, |acc, b| {
        let digit = char::from(b).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// `Serialize` and `Deserialize` (feature `serde`) through a type's text
/// form: `Display` out, `FromStr` in, with the same checks.
macro_rules! serde_via_text {
    ($ty:ty, $expecting:literal) => {
        #[cfg(feature = "serde")]
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl serde::Serialize for $ty {
            /// Serialises as the text form (`Display`).
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        #[cfg(feature = "serde")]
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<'de> serde::Deserialize<'de> for $ty {
            /// Deserialises from the text form, with the same checks as `FromStr`.
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Text;
                impl serde::de::Visitor<'_> for Text {
                    type Value = $ty;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Text)
            }
        }
    };
}
pub(crate) use serde_via_text;

/// `serialize_with` helpers (feature `serde`) for the outcomes, verdicts
/// and diagnoses: durations as whole seconds, and the content of a newtype
/// variant nested under a named field (inside an enum tagged with `kind`,
/// whose content would otherwise bring a second `kind` or no field name).
#[cfg(feature = "serde")]
pub(crate) mod serde_as {
    use serde::Serialize;
    use serde::ser::{SerializeStruct, Serializer};

    /// A duration as whole seconds (truncated toward zero).
    pub(crate) fn secs<S: Serializer>(d: &time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }

    fn nested<T: Serialize + ?Sized, S: Serializer>(
        s: S,
        field: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Nested", 1)?;
        st.serialize_field(field, value)?;
        st.end()
    }

    /// The content as `"error": …`.
    pub(crate) fn error<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        nested(s, "error", v)
    }

    /// The content as `"blocked": …`.
    pub(crate) fn blocked<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        nested(s, "blocked", v)
    }

    /// The content as `"failure": …`.
    pub(crate) fn failure<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        nested(s, "failure", v)
    }

    /// The content as `"drift": …` (in steps).
    pub(crate) fn drift<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        nested(s, "drift", v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_decimal_refuses_every_other_spelling() {
        assert_eq!(canonical_u64("0"), Some(0));
        assert_eq!(canonical_u64("18446744073709551615"), Some(u64::MAX));
        for bad in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "18446744073709551616",
            "1e3",
            "١",
        ] {
            assert_eq!(canonical_u64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lenient_decimal_takes_leading_zeros_and_nothing_else() {
        assert_eq!(lenient_u64("007"), Some(7));
        assert_eq!(lenient_u64("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "+1", "-1", " 1", "18446744073709551616", "1.0", "١"] {
            assert_eq!(lenient_u64(bad), None, "{bad:?}");
        }
    }
}
