//! Reading posted forms: every value arrives as text, and each reader turns one field into a
//! domain value or records a message naming the field, so a refused form can be shown again
//! with each message beside its field and everything typed kept.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use steward_core::record::RecordKind;
use steward_core::{Error, FieldError};

/// What became of a posted form: the page at the address it wrote (`written`), or — when what was
/// typed did not validate — the form's page again from `redisplay`, with each message beside its
/// field. Any other failure is the request's error. The page is boxed: its future is large, and
/// every form handler would otherwise carry it.
pub async fn written_or_redisplay<F, Fut>(
    written: Result<String, crate::error::ApiError>,
    redisplay: F,
) -> super::UiResult<axum::response::Response>
where
    F: FnOnce(FormErrors) -> Fut,
    Fut: std::future::Future<Output = super::UiResult<axum::response::Response>>,
{
    match written {
        Ok(href) => Ok(super::see_other(&href)),
        Err(crate::error::ApiError::Domain(Error::Invalid(fields))) => Box::pin(redisplay(FormErrors(fields))).await,
        Err(other) => Err(other.into()),
    }
}

/// A page with several forms naming the same field (a plan, a control): field errors about
/// any of `fields` are renamed `{form}_{field}`, so each is said beside that form's own select
/// and not the first on the page.
pub fn beside(
    written: Result<String, crate::error::ApiError>,
    form: &str,
    fields: &[&str],
    as_field: &str,
) -> Result<String, crate::error::ApiError> {
    written.map_err(|err| match err {
        crate::error::ApiError::Domain(Error::Invalid(found)) => crate::error::ApiError::Domain(Error::Invalid(
            found
                .into_iter()
                .map(|mut f| {
                    if fields.contains(&f.field.as_str()) {
                        f.field = format!("{form}_{as_field}");
                    }
                    f
                })
                .collect(),
        )),
        other => other,
    })
}

/// Field errors collected while reading a form.
#[derive(Default)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|f| f.field == field).map(|f| f.message.as_str())
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    /// The status of a page showing these errors beside its form: 422 with any, else 200.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.any() {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::OK
        }
    }
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

/// A free text, trimmed; empty is none.
pub fn text(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// An optional reference from a select or text box: empty is none; anything else must be a
/// reference of the given kind.
pub fn reference<I: std::str::FromStr>(e: &mut FormErrors, field: &str, value: &str, kind: RecordKind) -> Option<I> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let found = v.parse::<I>().ok();
    if found.is_none() {
        e.fail(
            field,
            format!(
                "must be a {} reference such as {}-1",
                super::kind_label(kind),
                kind.prefix()
            ),
        );
    }
    found
}

/// A reference the form must have: read as [`reference`], and `missing` said beside the field
/// when nothing was chosen.
pub fn required<I: std::str::FromStr>(
    e: &mut FormErrors,
    field: &str,
    value: &str,
    kind: RecordKind,
    missing: &str,
) -> Option<I> {
    let r = reference(e, field, value, kind);
    if r.is_none() && e.of(field).is_none() {
        e.fail(field, missing);
    }
    r
}

/// One of a select's named values (an impact, a risk, an outcome, ...), as the API names them;
/// empty is none.
pub fn named<T: DeserializeOwned>(e: &mut FormErrors, field: &str, value: &str) -> Option<T> {
    if value.is_empty() {
        return None;
    }
    let found = serde_json::from_value(serde_json::Value::String(value.into())).ok();
    if found.is_none() {
        e.fail(field, "choose one of the listed values");
    }
    found
}

/// One of a select's named values that the form must have: read as [`named`], and `missing`
/// said beside the field when nothing was chosen.
pub fn required_named<T: DeserializeOwned>(e: &mut FormErrors, field: &str, value: &str, missing: &str) -> Option<T> {
    if value.is_empty() {
        e.fail(field, missing);
        return None;
    }
    named(e, field, value)
}

/// A `date` value the form must have: read as [`date`], and `missing` said beside the field
/// when it was left empty.
pub fn required_date(e: &mut FormErrors, field: &str, value: &str, missing: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        e.fail(field, missing);
        return None;
    }
    date(e, field, value)
}

/// A `datetime-local` value, read as UTC (the forms say so); empty is none.
pub fn instant(e: &mut FormErrors, field: &str, v: &str) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"));
    match parsed {
        Ok(t) => Some(t.and_utc()),
        Err(_) => {
            e.fail(field, "must be a date and time such as 2026-12-01T22:00");
            None
        }
    }
}

/// A `date` value (`2026-12-01`); empty is none.
pub fn date(e: &mut FormErrors, field: &str, v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let found = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
    if found.is_none() {
        e.fail(field, "must be a date such as 2026-12-01");
    }
    found
}

/// The value a domain reader made of a field, or its field errors kept with the form's.
pub fn parsed<T>(e: &mut FormErrors, read: Result<T, Error>) -> Option<T> {
    match read {
        Ok(v) => Some(v),
        Err(Error::Invalid(fields)) => {
            e.0.extend(fields);
            None
        }
        Err(other) => {
            e.fail("form", other.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_core::id::TeamId;
    use steward_core::priority::Impact;

    #[test]
    fn each_reader_names_its_field() {
        let mut e = FormErrors::default();
        assert_eq!(
            reference::<TeamId>(&mut e, "team", " TEAM-3 ", RecordKind::Team),
            Some(TeamId(3))
        );
        assert_eq!(reference::<TeamId>(&mut e, "team", "", RecordKind::Team), None);
        assert_eq!(named::<Impact>(&mut e, "impact", "high"), Some(Impact::High));
        assert_eq!(
            instant(&mut e, "at", "2026-12-01T22:00").map(|t| t.to_rfc3339()),
            Some("2026-12-01T22:00:00+00:00".into())
        );
        assert!(!e.any());
        reference::<TeamId>(&mut e, "team", "SVC-1", RecordKind::Team);
        named::<Impact>(&mut e, "impact", "extreme");
        instant(&mut e, "at", "tomorrow");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["team", "impact", "at"]);
        assert_eq!(e.of("team"), Some("must be a team reference such as TEAM-1"));
        assert_eq!(text("  a "), Some("a".into()));
        assert_eq!(text("   "), None);
    }
}
