//! How suppliers, their contracts and their disputes are stored, and each supplier's performance
//! over a period read from the tickets handed to it and its underpinning contracts' clocks.

use steward_core::Result;
use steward_core::contract::{Contract, ContractStatus};
use steward_core::dispute::{Dispute, DisputeStatus};
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::{RecordKind, parse_references};
use steward_core::supplier::{Supplier, SupplierKind, SupplierPerformance, attainment};

use crate::exec::Arg;
use crate::record::Table;
use crate::{
    args, from_micros, json_text, micros, opt_from_micros, opt_stored_date, parse_stored, refer, stored_date,
    stored_json,
};

#[derive(sqlx::FromRow)]
pub struct SupplierRow {
    id: i64,
    name: String,
    kind: String,
    owner_id: Option<i64>,
    team_id: Option<i64>,
    organisation_id: Option<i64>,
    contact: String,
    description: String,
    services: String,
    configuration_items: String,
    processes: String,
    review_date: Option<String>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for Supplier {
    type Row = SupplierRow;
    const TABLE: &'static str = "suppliers";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "kind",
        "owner_id",
        "team_id",
        "organisation_id",
        "contact",
        "description",
        "services",
        "configuration_items",
        "processes",
        "review_date",
        "active",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: SupplierRow) -> Result<Self> {
        Ok(Supplier {
            id: SupplierId(r.id),
            name: r.name,
            kind: parse_stored("kind", &r.kind, SupplierKind::parse)?,
            owner: r.owner_id.map(UserId),
            team: r.team_id.map(TeamId),
            organisation: r.organisation_id.map(OrganisationId),
            contact: r.contact,
            description: r.description,
            services: stored_json("services", &r.services)?,
            configuration_items: stored_json("configuration_items", &r.configuration_items)?,
            processes: stored_json("processes", &r.processes)?,
            review_date: opt_stored_date("review_date", r.review_date)?,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            self.kind.as_str(),
            self.owner.map(|v| v.0),
            self.team.map(|v| v.0),
            self.organisation.map(|v| v.0),
            &self.contact,
            &self.description,
            json_text(&self.services),
            json_text(&self.configuration_items),
            json_text(&self.processes),
            self.review_date.map(|d| d.to_string()),
            self.active,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        refer(
            &mut r,
            "organisation",
            RecordKind::Organisation,
            self.organisation.map(|v| v.0),
        );
        r.extend(self.services.iter().map(|s| ("services", RecordKind::Service, s.0)));
        for (kind, id) in parse_references(&self.configuration_items) {
            r.push(("configuration_items", kind, id));
        }
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct ContractRow {
    id: i64,
    supplier_id: i64,
    title: String,
    scope: String,
    services: String,
    agreement_id: Option<i64>,
    interfaces: String,
    obligations: String,
    starts_on: String,
    ends_on: Option<String>,
    review_date: Option<String>,
    last_reviewed_on: Option<String>,
    review_notes: String,
    owner_id: Option<i64>,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Contract {
    type Row = ContractRow;
    const TABLE: &'static str = "contracts";
    const COLUMNS: &'static [&'static str] = &[
        "supplier_id",
        "title",
        "scope",
        "services",
        "agreement_id",
        "interfaces",
        "obligations",
        "starts_on",
        "ends_on",
        "review_date",
        "last_reviewed_on",
        "review_notes",
        "owner_id",
        "status",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ContractRow) -> Result<Self> {
        Ok(Contract {
            id: ContractId(r.id),
            supplier: SupplierId(r.supplier_id),
            title: r.title,
            scope: r.scope,
            services: stored_json("services", &r.services)?,
            agreement: r.agreement_id.map(AgreementId),
            interfaces: r.interfaces,
            obligations: r.obligations,
            starts_on: stored_date("starts_on", &r.starts_on)?,
            ends_on: opt_stored_date("ends_on", r.ends_on)?,
            review_date: opt_stored_date("review_date", r.review_date)?,
            last_reviewed_on: opt_stored_date("last_reviewed_on", r.last_reviewed_on)?,
            review_notes: r.review_notes,
            owner: r.owner_id.map(UserId),
            status: parse_stored("status", &r.status, ContractStatus::parse)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.supplier.0,
            &self.title,
            &self.scope,
            json_text(&self.services),
            self.agreement.map(|v| v.0),
            &self.interfaces,
            &self.obligations,
            self.starts_on.to_string(),
            self.ends_on.map(|d| d.to_string()),
            self.review_date.map(|d| d.to_string()),
            self.last_reviewed_on.map(|d| d.to_string()),
            &self.review_notes,
            self.owner.map(|v| v.0),
            self.status.as_str(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("supplier", RecordKind::Supplier, self.supplier.0)];
        refer(&mut r, "agreement", RecordKind::Agreement, self.agreement.map(|v| v.0));
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r.extend(self.services.iter().map(|s| ("services", RecordKind::Service, s.0)));
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct DisputeRow {
    id: i64,
    supplier_id: i64,
    contract_id: Option<i64>,
    title: String,
    description: String,
    owner_id: Option<i64>,
    resolution: String,
    status: String,
    resolved_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Dispute {
    type Row = DisputeRow;
    const TABLE: &'static str = "disputes";
    const COLUMNS: &'static [&'static str] = &[
        "supplier_id",
        "contract_id",
        "title",
        "description",
        "owner_id",
        "resolution",
        "status",
        "resolved_at",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: DisputeRow) -> Result<Self> {
        Ok(Dispute {
            id: DisputeId(r.id),
            supplier: SupplierId(r.supplier_id),
            contract: r.contract_id.map(ContractId),
            title: r.title,
            description: r.description,
            owner: r.owner_id.map(UserId),
            resolution: r.resolution,
            status: parse_stored("status", &r.status, DisputeStatus::parse)?,
            resolved_at: opt_from_micros(r.resolved_at)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.supplier.0,
            self.contract.map(|v| v.0),
            &self.title,
            &self.description,
            self.owner.map(|v| v.0),
            &self.resolution,
            self.status.as_str(),
            self.resolved_at.map(micros),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("supplier", RecordKind::Supplier, self.supplier.0)];
        refer(&mut r, "contract", RecordKind::Contract, self.contract.map(|v| v.0));
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r
    }
}

/// Suppliers read at most by the performance report; more is refused rather than cut.
const SUPPLIERS_MAX: i64 = 5_000;

impl crate::Store {
    /// Every active supplier's performance: its underpinning contract clocks that stopped in
    /// `[from, to)`, and as of `today` its open tickets, active contracts (and those due a
    /// review) and open disputes — five grouped reads, however many suppliers.
    pub async fn supplier_performance(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        today: chrono::NaiveDate,
    ) -> Result<Vec<SupplierPerformance>> {
        use std::collections::HashMap;
        if to <= from {
            return Err(steward_core::Error::invalid("to", "must be after from"));
        }
        let mut c = self.read().await?;
        let suppliers: Vec<(i64, String, String)> = c
            .fetch_all(
                "SELECT id, name, kind FROM suppliers WHERE active = $1 ORDER BY name, id LIMIT $2",
                args![true, SUPPLIERS_MAX + 1],
            )
            .await?;
        if suppliers.len() as i64 > SUPPLIERS_MAX {
            return Err(steward_core::Error::invalid(
                "from",
                format!("more than {SUPPLIERS_MAX} active suppliers to report on; contact the maintainers"),
            ));
        }
        let clocks: Vec<(String, String, i64)> = c
            .fetch_all(
                "SELECT scope, outcome, COUNT(*) FROM sla_clocks WHERE stopped_at >= $1 AND stopped_at < $2 \
                 AND scope LIKE 'uc-%' AND outcome IN ('met', 'breached') GROUP BY scope, outcome",
                args![micros(from), micros(to)],
            )
            .await?;
        let open: Vec<(i64, i64)> = c
            .fetch_all(
                "SELECT supplier_id, COUNT(*) FROM incidents WHERE supplier_id IS NOT NULL \
                 AND status IN ('new', 'in_progress', 'pending') GROUP BY supplier_id \
                 UNION ALL SELECT supplier_id, COUNT(*) FROM requests WHERE supplier_id IS NOT NULL \
                 AND status IN ('new', 'in_progress', 'pending') GROUP BY supplier_id",
                args![],
            )
            .await?;
        let contracts: Vec<(i64, i64, i64)> = c
            .fetch_all(
                "SELECT supplier_id, COUNT(*), SUM(CASE WHEN review_date IS NULL OR review_date < $1 THEN 1 ELSE 0 END) \
                 FROM contracts WHERE status = 'active' GROUP BY supplier_id",
                args![today.to_string()],
            )
            .await?;
        let disputes: Vec<(i64, i64)> = c
            .fetch_all(
                "SELECT supplier_id, COUNT(*) FROM disputes WHERE status IN ('open', 'escalated') GROUP BY supplier_id",
                args![],
            )
            .await?;
        let mut stopped: HashMap<(i64, bool), i64> = HashMap::new();
        for (scope, outcome, n) in clocks {
            if let Some(steward_core::clock::ClockScope::Underpinning(s)) =
                steward_core::clock::ClockScope::parse(&scope)
            {
                *stopped.entry((s.0, outcome == "met")).or_default() += n;
            }
        }
        let mut tickets: HashMap<i64, i64> = HashMap::new();
        for (s, n) in open {
            *tickets.entry(s).or_default() += n;
        }
        let contracts: HashMap<i64, (i64, i64)> = contracts.into_iter().map(|(s, n, due)| (s, (n, due))).collect();
        let disputes: HashMap<i64, i64> = disputes.into_iter().collect();
        suppliers
            .into_iter()
            .map(|(id, name, kind)| {
                let met = stopped.get(&(id, true)).copied().unwrap_or(0);
                let breached = stopped.get(&(id, false)).copied().unwrap_or(0);
                let (active_contracts, contracts_due_review) = contracts.get(&id).copied().unwrap_or((0, 0));
                Ok(SupplierPerformance {
                    supplier: SupplierId(id),
                    supplier_name: name,
                    kind: parse_stored("kind", &kind, SupplierKind::parse)?,
                    open_tickets: tickets.get(&id).copied().unwrap_or(0),
                    met,
                    breached,
                    attainment_percent: attainment(met, breached),
                    active_contracts,
                    contracts_due_review,
                    open_disputes: disputes.get(&id).copied().unwrap_or(0),
                })
            })
            .collect()
    }
}
