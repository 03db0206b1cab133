//! Lifecycles: each record's states and the moves allowed between them, declared as one table.

use crate::error::{Error, Result};

/// A record status with a fixed table of allowed next states.
pub trait Lifecycle: Copy + PartialEq + 'static {
    const FIELD_VALUES: &'static [Self];
    fn as_str(self) -> &'static str;
    fn allowed_next(self) -> &'static [Self];

    fn parse(s: &str) -> Option<Self> {
        Self::FIELD_VALUES.iter().copied().find(|v| v.as_str() == s)
    }

    /// Checks a move from `self` to the state named `to`.
    fn check_move(self, to: &str) -> Result<Self> {
        let Some(next) = Self::parse(to) else {
            let all: Vec<&str> = Self::FIELD_VALUES.iter().map(|v| v.as_str()).collect();
            return Err(Error::invalid(
                "to",
                format!(
                    "unknown state '{}'; states are {}",
                    to.chars().take(40).collect::<String>(),
                    all.join(", ")
                ),
            ));
        };
        if self.allowed_next().contains(&next) {
            Ok(next)
        } else {
            Err(Error::InvalidTransition {
                from: self.as_str().to_string(),
                to: next.as_str().to_string(),
                allowed: self.allowed_next().iter().map(|s| s.as_str().to_string()).collect(),
            })
        }
    }
}

/// The OpenAPI schema of an enum sent by name: a string, one of the names. Written by hand
/// because utoipa's derive cannot read a `rename` given through a macro and would document the
/// variants' Rust names instead of the names on the wire.
#[macro_export]
macro_rules! wire_schema {
    ($name:ident, [$($s:literal),+]) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($s),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

/// Declares a status enum and its transition table:
/// `Variant = "name" => [NextVariant, ...]`.
#[macro_export]
macro_rules! lifecycle {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $s:literal => [$($next:ident),*]),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $s)] $variant),+
        }

        $crate::wire_schema!($name, [$($s),+]);

        impl $crate::lifecycle::Lifecycle for $name {
            const FIELD_VALUES: &'static [$name] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            fn allowed_next(self) -> &'static [$name] {
                match self { $($name::$variant => &[$($name::$next),*]),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::lifecycle::Lifecycle::as_str(*self))
            }
        }
    };
}

/// Declares a plain enum of named values (no transitions), stored and sent as its name.
#[macro_export]
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $s)] $variant),+
        }

        $crate::wire_schema!($name, [$($s),+]);

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Checks a lifecycle against an expected table: every listed move allowed, every other refused
/// with the allowed list named.
#[cfg(test)]
pub(crate) fn assert_table<S: Lifecycle + std::fmt::Debug>(expected: &[(S, &[S])]) {
    assert_eq!(expected.len(), S::FIELD_VALUES.len(), "every state listed");
    for (from, nexts) in expected {
        for to in S::FIELD_VALUES {
            match from.check_move(to.as_str()) {
                Ok(s) => assert!(nexts.contains(to) && s == *to, "{from:?} -> {to:?} allowed"),
                Err(Error::InvalidTransition { allowed, .. }) => {
                    assert!(!nexts.contains(to), "{from:?} -> {to:?} refused");
                    let want: Vec<&str> = nexts.iter().map(|s| s.as_str()).collect();
                    assert_eq!(allowed, want);
                }
                Err(e) => panic!("{from:?} -> {to:?}: {e}"),
            }
        }
    }
}
