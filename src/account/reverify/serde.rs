//! serde (feature `serde`) for the decision types, with the stable
//! snake_case names of their `as_str`: in JSON, `"sensitive"`, `"idle"`,
//! `"fresh"` and `{"reverify":"session_expired"}` (serde's usual enum
//! representation).

use core::fmt;

use serde::de::{self, EnumAccess, VariantAccess};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Action, Need, Why};

const ACTIONS: &[&str] = &["normal", "sensitive"];
const WHYS: &[&str] = &["session_expired", "idle", "sensitive_action"];
const NEEDS: &[&str] = &["fresh", "reverify"];

/// The index of `name` in `names`, as serde's variant index.
fn index(names: &[&str], name: &str) -> u32 {
    let found = names.iter().position(|n| *n == name).unwrap_or_default();
    u32::try_from(found).unwrap_or_default()
}

/// A variant name, read as an identifier and matched against `names`.
struct Variant {
    names: &'static [&'static str],
    found: usize,
}

impl<'de> de::DeserializeSeed<'de> for Variant {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(mut self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(&mut self)?;
        Ok(self.found)
    }
}

impl de::Visitor<'_> for &mut Variant {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a variant name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.found = self
            .names
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| E::unknown_variant(v, self.names))?;
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.found = usize::try_from(v)
            .ok()
            .filter(|i| *i < self.names.len())
            .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &"a variant index"))?;
        Ok(())
    }
}

/// Reads one of `names` as a unit-only enum.
struct UnitEnum(&'static [&'static str]);

impl<'de> de::Visitor<'de> for UnitEnum {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "one of {:?}", self.0)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<usize, A::Error> {
        let (found, variant) = data.variant_seed(Variant {
            names: self.0,
            found: 0,
        })?;
        variant.unit_variant()?;
        Ok(found)
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let name = self.as_str();
        serializer.serialize_unit_variant("Action", index(ACTIONS, name), name)
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_enum("Action", ACTIONS, UnitEnum(ACTIONS))? {
            0 => Ok(Self::Normal),
            _ => Ok(Self::Sensitive),
        }
    }
}

impl Serialize for Why {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let name = self.as_str();
        serializer.serialize_unit_variant("Why", index(WHYS, name), name)
    }
}

impl<'de> Deserialize<'de> for Why {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_enum("Why", WHYS, UnitEnum(WHYS))? {
            0 => Ok(Self::SessionExpired),
            1 => Ok(Self::Idle),
            _ => Ok(Self::SensitiveAction),
        }
    }
}

impl Serialize for Need {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Fresh => serializer.serialize_unit_variant("Need", 0, "fresh"),
            Self::Reverify(why) => serializer.serialize_newtype_variant("Need", 1, "reverify", why),
        }
    }
}

/// Reads a [`Need`].
struct NeedVisitor;

impl<'de> de::Visitor<'de> for NeedVisitor {
    type Value = Need;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"fresh\" or {\"reverify\": why}")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Need, A::Error> {
        let (found, variant) = data.variant_seed(Variant {
            names: NEEDS,
            found: 0,
        })?;
        if found == 0 {
            variant.unit_variant()?;
            Ok(Need::Fresh)
        } else {
            variant.newtype_variant::<Why>().map(Need::Reverify)
        }
    }
}

impl<'de> Deserialize<'de> for Need {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_enum("Need", NEEDS, NeedVisitor)
    }
}
