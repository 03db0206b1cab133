//! The scope of the service management system (clause 4.3): which services, organisational
//! units, locations and customers it covers, kept as a versioned statement. ISO/IEC 20000-1
//! allows no requirement of clauses 4 to 10 to be excluded, so a scope that tries is refused;
//! and a clause 8 process operated entirely by another party is flagged (8.2.3), since the
//! organisation must still govern it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::catalogue;
use crate::error::Result;
use crate::id::{OrganisationId, ServiceId, SmsScopeId, UserId};
use crate::patch::{nullable, set, sorted_unique};
use crate::record;
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX};

/// A clause 8 process that another party operates, in whole or in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherParty {
    /// The process's clause, e.g. `8.6.1`.
    pub process: String,
    /// Who operates it: a supplier, an internal group or a customer.
    pub party: String,
    /// Whether that party operates the whole process.
    pub entirely: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SmsScope {
    pub id: SmsScopeId,
    pub title: String,
    /// The scope statement as the organisation words it.
    pub statement: String,
    /// Services in scope, from the service catalogue.
    pub services: Vec<ServiceId>,
    /// Customer organisations the services in scope are delivered to.
    pub customers: Vec<OrganisationId>,
    pub organisational_units: Vec<String>,
    pub locations: Vec<String>,
    /// What lies outside the scope (services, sites, customers) — never a requirement.
    pub exclusions: Vec<String>,
    /// Clause 8 processes operated by other parties.
    pub other_parties: Vec<OtherParty>,
    /// Starts at 1 and goes up by one with every change to the statement.
    pub version: i64,
    pub approved_by: Option<UserId>,
    pub approved_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(SmsScope, RecordKind::SmsScope, SmsScopeId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSmsScope {
    pub title: String,
    pub statement: String,
    #[serde(default)]
    pub services: Vec<ServiceId>,
    #[serde(default)]
    pub customers: Vec<OrganisationId>,
    #[serde(default)]
    pub organisational_units: Vec<String>,
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub exclusions: Vec<String>,
    #[serde(default)]
    pub other_parties: Vec<OtherParty>,
    #[serde(default)]
    pub approved_by: Option<UserId>,
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsScopePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub statement: Option<String>,
    #[serde(default)]
    pub services: Option<Vec<ServiceId>>,
    #[serde(default)]
    pub customers: Option<Vec<OrganisationId>>,
    #[serde(default)]
    pub organisational_units: Option<Vec<String>>,
    #[serde(default)]
    pub locations: Option<Vec<String>>,
    #[serde(default)]
    pub exclusions: Option<Vec<String>>,
    #[serde(default)]
    pub other_parties: Option<Vec<OtherParty>>,
    #[serde(default, deserialize_with = "nullable")]
    pub approved_by: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub approved_on: Option<Option<NaiveDate>>,
}

/// Something about a scope an SMS manager should act on; it does not stop the scope being saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScopeWarning {
    /// The requirement the warning concerns.
    pub clause: String,
    pub message: String,
}

const LIST_MAX: usize = 500;

impl SmsScope {
    pub fn create(input: NewSmsScope, at: DateTime<Utc>) -> Result<SmsScope> {
        let s = SmsScope {
            id: SmsScopeId(0),
            title: input.title.trim().to_string(),
            statement: input.statement,
            services: sorted_unique(input.services),
            customers: sorted_unique(input.customers),
            organisational_units: trimmed(input.organisational_units),
            locations: trimmed(input.locations),
            exclusions: trimmed(input.exclusions),
            other_parties: input.other_parties,
            version: 1,
            approved_by: input.approved_by,
            approved_on: input.approved_on,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        s.check(&mut c);
        c.finish()?;
        Ok(s)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("statement", &self.statement, TEXT_MAX);
        if self.statement.trim().is_empty() {
            c.fail(
                "statement",
                "must not be blank: say what the service management system covers",
            );
        }
        for (field, list) in [
            ("organisational_units", &self.organisational_units),
            ("locations", &self.locations),
            ("exclusions", &self.exclusions),
        ] {
            if list.len() > LIST_MAX {
                c.fail(field, format!("must have at most {LIST_MAX} entries"));
            }
            for v in list {
                c.line(field, v, TITLE_MAX);
            }
        }
        if self.services.len() > LIST_MAX || self.customers.len() > LIST_MAX || self.other_parties.len() > LIST_MAX {
            c.fail(
                "services",
                format!("services, customers and other_parties take at most {LIST_MAX} entries"),
            );
        }
        for e in &self.exclusions {
            if let Some(clause) = names_requirement(e) {
                c.fail(
                    "exclusions",
                    format!(
                        "'{clause}' is a requirement of ISO/IEC 20000-1; no requirement of clauses 4 to 10 may be excluded — exclude services, sites or customers instead"
                    ),
                );
            }
        }
        for p in &self.other_parties {
            c.line("other_parties.party", &p.party, NAME_MAX);
            if !crate::compliance::is_process(&p.process) {
                c.fail(
                    "other_parties.process",
                    format!(
                        "'{}' is not a clause 8 process of ISO/IEC 20000-1:2018",
                        short(&p.process)
                    ),
                );
            }
        }
        if self.approved_by.is_some() != self.approved_on.is_some() {
            c.fail("approved_on", "approved_by and approved_on go together");
        }
    }

    /// Applies a patch; any change to the statement raises its version by one and withdraws its
    /// approval unless the same patch approves it again.
    pub fn apply_patch(&mut self, p: SmsScopePatch) -> Result<()> {
        let mut next = self.clone();
        let approval_given = p.approved_by.is_some() || p.approved_on.is_some();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.statement, p.statement);
        set(&mut next.services, p.services.map(sorted_unique));
        set(&mut next.customers, p.customers.map(sorted_unique));
        set(&mut next.organisational_units, p.organisational_units.map(trimmed));
        set(&mut next.locations, p.locations.map(trimmed));
        set(&mut next.exclusions, p.exclusions.map(trimmed));
        set(&mut next.other_parties, p.other_parties);
        let content_changed = next.content() != self.content();
        if content_changed {
            next.version = self.version + 1;
            if !approval_given {
                next.approved_by = None;
                next.approved_on = None;
            }
        }
        set(&mut next.approved_by, p.approved_by);
        set(&mut next.approved_on, p.approved_on);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    fn content(&self) -> impl PartialEq + '_ {
        (
            &self.title,
            &self.statement,
            &self.services,
            &self.customers,
            &self.organisational_units,
            &self.locations,
            &self.exclusions,
            &self.other_parties,
        )
    }

    /// What to act on: processes left entirely to another party (8.2.3), and a scope with no
    /// service or no approval.
    pub fn warnings(&self) -> Vec<ScopeWarning> {
        let mut w = Vec::new();
        for p in self.other_parties.iter().filter(|p| p.entirely) {
            w.push(ScopeWarning {
                clause: "8.2.3".into(),
                message: format!(
                    "process {} is operated entirely by {}: the organisation still answers for it, so define how it is governed, measured and reported",
                    p.process, p.party
                ),
            });
        }
        if self.services.is_empty() {
            w.push(ScopeWarning {
                clause: "4.3".into(),
                message: "no service is in scope: name the services from the catalogue that the system covers".into(),
            });
        }
        if self.approved_by.is_none() {
            w.push(ScopeWarning {
                clause: "4.3".into(),
                message: format!("version {} of the scope is not approved", self.version),
            });
        }
        w
    }
}

fn trimmed(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|s| s.trim().to_string()).collect()
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The requirement an exclusion names, if it names one: a catalogue clause number with at least
/// one dot (`8.5.1`), or any clause number after the word "clause" or "section" (`clause 8`).
pub fn names_requirement(text: &str) -> Option<String> {
    let Ok(cat) = catalogue() else {
        return None;
    };
    let known = |t: &str| cat.requirements.iter().any(|r| r.clause == t);
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.'))
        .filter(|t| !t.is_empty())
        .collect();
    for (i, raw) in tokens.iter().enumerate() {
        let t = raw.trim_end_matches('.');
        if t.contains('.') && known(t) {
            return Some(t.to_string());
        }
        let after_word = i > 0 && matches!(tokens[i - 1], "clause" | "clauses" | "section" | "requirement");
        if after_word && known(t) {
            return Some(t.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NewSmsScope {
        NewSmsScope {
            title: "SMS scope".into(),
            statement: "The SMS covers the e-mail and payroll services delivered from Leeds.".into(),
            services: vec![ServiceId(2), ServiceId(1), ServiceId(2)],
            customers: vec![],
            organisational_units: vec![" IT operations ".into()],
            locations: vec!["Leeds".into()],
            exclusions: vec!["The printing service".into()],
            other_parties: vec![],
            approved_by: None,
            approved_on: None,
        }
    }

    #[test]
    fn a_scope_cannot_exclude_a_requirement() {
        for bad in [
            "8.5.1 change management",
            "we exclude clause 8",
            "Section 10.2.",
            "7.5.4",
        ] {
            let mut i = input();
            i.exclusions = vec![bad.into()];
            let e = SmsScope::create(i, Utc::now()).unwrap_err().to_string();
            assert!(
                e.contains("no requirement of clauses 4 to 10 may be excluded"),
                "{bad}: {e}"
            );
        }
        for fine in [
            "Building 8",
            "The 2.5 GHz Wi-Fi service",
            "version 1.2 of the portal",
            "clause 11 of our contract",
        ] {
            let mut i = input();
            i.exclusions = vec![fine.into()];
            assert!(SmsScope::create(i, Utc::now()).is_ok(), "{fine}");
        }
    }

    #[test]
    fn a_change_raises_the_version_and_withdraws_approval() {
        let mut s = SmsScope::create(input(), Utc::now()).unwrap();
        assert_eq!(s.services, vec![ServiceId(1), ServiceId(2)]);
        assert_eq!(s.organisational_units, vec!["IT operations"]);
        s.apply_patch(SmsScopePatch {
            approved_by: Some(Some(UserId(3))),
            approved_on: Some(NaiveDate::from_ymd_opt(2026, 1, 5)),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((s.version, s.approved_by), (1, Some(UserId(3))));
        s.apply_patch(SmsScopePatch {
            locations: Some(vec!["Leeds".into(), "York".into()]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((s.version, s.approved_by, s.approved_on), (2, None, None));
        assert!(
            s.warnings()
                .iter()
                .any(|w| w.message.contains("version 2 of the scope is not approved"))
        );
    }

    #[test]
    fn a_process_left_entirely_to_another_party_is_flagged() {
        let mut i = input();
        i.other_parties = vec![
            OtherParty {
                process: "8.6.1".into(),
                party: "Acme Ltd".into(),
                entirely: true,
            },
            OtherParty {
                process: "8.2.6".into(),
                party: "Acme Ltd".into(),
                entirely: false,
            },
        ];
        let s = SmsScope::create(i, Utc::now()).unwrap();
        let w = s.warnings();
        assert_eq!(w.iter().filter(|w| w.clause == "8.2.3").count(), 1);
        assert!(w[0].message.contains("8.6.1 is operated entirely by Acme Ltd"));
        let mut i = input();
        i.other_parties = vec![OtherParty {
            process: "9.2".into(),
            party: "X".into(),
            entirely: true,
        }];
        let e = SmsScope::create(i, Utc::now()).unwrap_err().to_string();
        assert!(e.contains("not a clause 8 process"), "{e}");
    }
}
