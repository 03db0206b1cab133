//! Suppliers (8.3.4) and the parties of the service lifecycle (8.2.3): whoever provides or
//! operates part of a service — an external supplier, an internal group of the organisation or a
//! customer acting as a supplier — each with an owner who manages the relationship, and the
//! services, configuration items and clause 8 processes the party provides or operates. Its
//! contracts ([`crate::contract`]) and disputes ([`crate::dispute`]) name it; tickets handed to
//! it run its underpinning contract's clocks.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{ConfigurationItemId, OrganisationId, ServiceId, SupplierId, TeamId, UserId};
use crate::patch::{nullable, set, sorted_unique};
use crate::record::{RecordKind, check_references, normalise_references};
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX};
use crate::{named_enum, record};

named_enum! {
    /// Where the party stands to the organisation.
    SupplierKind {
        /// An external supplier, bound by a contract.
        External = "external",
        /// An internal group of the organisation (one of its teams), bound by an agreement.
        Internal = "internal",
        /// A customer acting as a supplier (8.3.4.2).
        Customer = "customer",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Supplier {
    pub id: SupplierId,
    pub name: String,
    pub kind: SupplierKind,
    /// Who manages the relationship with the party; none only for a supplier carried over from
    /// an agreement that named it before suppliers were records.
    pub owner: Option<UserId>,
    /// The team an internal supplier is.
    pub team: Option<TeamId>,
    /// The customer organisation acting as a supplier.
    pub organisation: Option<OrganisationId>,
    /// How to reach the party: names, addresses, numbers, as free text.
    pub contact: String,
    pub description: String,
    /// The services the party provides or operates part of.
    pub services: Vec<ServiceId>,
    /// The configuration items the party provides or operates, e.g. `CI-4`.
    pub configuration_items: Vec<String>,
    /// The clause 8 processes (or parts) the party operates, e.g. `8.6.1`.
    pub processes: Vec<String>,
    /// When the relationship is next to be reviewed.
    pub review_date: Option<NaiveDate>,
    /// An inactive supplier takes no new tickets.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Supplier, RecordKind::Supplier, SupplierId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupplier {
    pub name: String,
    pub kind: SupplierKind,
    pub owner: UserId,
    #[serde(default)]
    pub team: Option<TeamId>,
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub services: Vec<ServiceId>,
    #[serde(default)]
    pub configuration_items: Vec<String>,
    #[serde(default)]
    pub processes: Vec<String>,
    #[serde(default)]
    pub review_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<SupplierKind>,
    /// A supplier always keeps an owner: hand it to someone else rather than clear it.
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub organisation: Option<Option<OrganisationId>>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub services: Option<Vec<ServiceId>>,
    #[serde(default)]
    pub configuration_items: Option<Vec<String>>,
    #[serde(default)]
    pub processes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub review_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// Services, configuration items or processes one party may be named for.
const LIST_MAX: usize = 100;

impl Supplier {
    pub fn create(input: NewSupplier, at: DateTime<Utc>) -> Result<Supplier> {
        let s = Supplier {
            id: SupplierId(0),
            name: input.name.trim().to_string(),
            kind: input.kind,
            owner: Some(input.owner),
            team: input.team,
            organisation: input.organisation,
            contact: input.contact.unwrap_or_default(),
            description: input.description.unwrap_or_default(),
            services: sorted_unique(input.services),
            configuration_items: normalise_references(input.configuration_items),
            processes: trimmed(input.processes),
            review_date: input.review_date,
            active: true,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        s.check(&mut c);
        c.finish()?;
        Ok(s)
    }

    pub fn apply_patch(&mut self, p: SupplierPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.kind, p.kind);
        set(&mut next.owner, p.owner.map(Some));
        set(&mut next.team, p.team);
        set(&mut next.organisation, p.organisation);
        set(&mut next.contact, p.contact);
        set(&mut next.description, p.description);
        set(&mut next.services, p.services.map(sorted_unique));
        set(
            &mut next.configuration_items,
            p.configuration_items.map(normalise_references),
        );
        set(&mut next.processes, p.processes.map(trimmed));
        set(&mut next.review_date, p.review_date);
        set(&mut next.active, p.active);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    fn check(&self, c: &mut Checker) {
        c.line("name", &self.name, NAME_MAX);
        c.text("contact", &self.contact, TITLE_MAX * 5);
        c.text("description", &self.description, TEXT_MAX);
        match self.kind {
            SupplierKind::Internal if self.team.is_none() => {
                c.fail("team", "an internal supplier is one of the organisation's teams")
            }
            SupplierKind::Customer if self.organisation.is_none() => {
                c.fail("organisation", "a customer acting as a supplier names its organisation")
            }
            _ => {}
        }
        if self.kind != SupplierKind::Internal && self.team.is_some() {
            c.fail("team", "only an internal supplier is a team");
        }
        if self.kind != SupplierKind::Customer && self.organisation.is_some() {
            c.fail(
                "organisation",
                "only a customer acting as a supplier names an organisation",
            );
        }
        for (field, n) in [
            ("services", self.services.len()),
            ("configuration_items", self.configuration_items.len()),
            ("processes", self.processes.len()),
        ] {
            if n > LIST_MAX {
                c.fail(field, format!("must have at most {LIST_MAX} entries"));
            }
        }
        check_references(c, &self.configuration_items);
        let ci = format!("{}-", ConfigurationItemId::PREFIX);
        if self.configuration_items.iter().any(|r| !r.starts_with(&ci)) {
            c.fail("configuration_items", "must name configuration items such as CI-4");
        }
        for p in &self.processes {
            if !crate::compliance::is_process(p) {
                c.fail(
                    "processes",
                    format!(
                        "'{}' is not a clause 8 process of ISO/IEC 20000-1:2018, such as 8.6.1",
                        p.chars().take(40).collect::<String>()
                    ),
                );
            }
        }
    }
}

/// How a supplier performed over a period, read from its tickets, its underpinning contracts'
/// clocks, its contracts and its disputes.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SupplierPerformance {
    pub supplier: SupplierId,
    pub supplier_name: String,
    pub kind: SupplierKind,
    /// Incidents and requests with the supplier now, not yet resolved or fulfilled.
    pub open_tickets: i64,
    /// Underpinning contract clocks (response and resolution) that stopped in the period met.
    pub met: i64,
    /// Those that stopped in the period breached.
    pub breached: i64,
    /// `met` as a share of the clocks that stopped, in percent (one decimal); none without any.
    pub attainment_percent: Option<f64>,
    pub active_contracts: i64,
    /// Active contracts without a review date, or past it.
    pub contracts_due_review: i64,
    /// Disputes open or escalated.
    pub open_disputes: i64,
}

/// `met` as a share of `met + breached`, in percent with one decimal; none when nothing stopped.
pub fn attainment(met: i64, breached: i64) -> Option<f64> {
    let stopped = met + breached;
    (stopped > 0).then(|| (met as f64 * 1000.0 / stopped as f64).round() / 10.0)
}

fn trimmed(v: Vec<String>) -> Vec<String> {
    let mut v: Vec<String> = v.into_iter().map(|s| s.trim().to_string()).collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: SupplierKind) -> NewSupplier {
        NewSupplier {
            name: " Northwind Hosting ".into(),
            kind,
            owner: UserId(1),
            team: None,
            organisation: None,
            contact: None,
            description: None,
            services: vec![ServiceId(2), ServiceId(1), ServiceId(2)],
            configuration_items: vec![" ci-4 ".into()],
            processes: vec!["8.6.1".into(), " 8.6.1".into()],
            review_date: None,
        }
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn fields(r: Result<Supplier>) -> Vec<String> {
        match r {
            Err(crate::Error::Invalid(f)) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn an_external_supplier_is_normalised() {
        let s = Supplier::create(input(SupplierKind::External), at()).unwrap();
        assert_eq!(s.name, "Northwind Hosting");
        assert_eq!(s.services, vec![ServiceId(1), ServiceId(2)]);
        assert_eq!(s.configuration_items, vec!["CI-4".to_string()]);
        assert_eq!(s.processes, vec!["8.6.1".to_string()]);
        assert_eq!(s.owner, Some(UserId(1)));
        assert!(s.active);
    }

    #[test]
    fn internal_needs_a_team_and_customer_an_organisation() {
        assert_eq!(fields(Supplier::create(input(SupplierKind::Internal), at())), ["team"]);
        assert_eq!(
            fields(Supplier::create(input(SupplierKind::Customer), at())),
            ["organisation"]
        );
        let mut i = input(SupplierKind::External);
        i.team = Some(TeamId(1));
        assert_eq!(fields(Supplier::create(i, at())), ["team"]);
    }

    #[test]
    fn processes_and_items_are_checked() {
        let mut i = input(SupplierKind::External);
        i.processes = vec!["9.2".into(), "8".into(), "8.99".into()];
        i.configuration_items = vec!["INC-4".into()];
        let f = fields(Supplier::create(i, at()));
        assert_eq!(f.iter().filter(|f| *f == "processes").count(), 3);
        assert!(f.contains(&"configuration_items".to_string()));
    }

    #[test]
    fn attainment_is_rounded_and_absent_without_clocks() {
        assert_eq!(attainment(0, 0), None);
        assert_eq!(attainment(2, 1), Some(66.7));
        assert_eq!(attainment(5, 0), Some(100.0));
    }

    #[test]
    fn a_patch_is_checked_whole() {
        let mut s = Supplier::create(input(SupplierKind::External), at()).unwrap();
        let bad = SupplierPatch {
            kind: Some(SupplierKind::Internal),
            ..Default::default()
        };
        assert!(s.apply_patch(bad).is_err());
        assert_eq!(s.kind, SupplierKind::External);
        s.apply_patch(SupplierPatch {
            kind: Some(SupplierKind::Internal),
            team: Some(Some(TeamId(3))),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.team, Some(TeamId(3)));
    }
}
