//! How agreements are stored.

use steward_core::Result;
use steward_core::agreement::{Agreement, AgreementKind};
use steward_core::id::*;
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, json_text, micros, parse_stored, refer, stored_date, stored_json};

#[derive(sqlx::FromRow)]
pub struct AgreementRow {
    id: i64,
    name: String,
    kind: String,
    description: String,
    organisation_id: Option<i64>,
    team_id: Option<i64>,
    supplier_id: Option<i64>,
    calendar_id: i64,
    targets: String,
    pause_on: String,
    warning_percent: String,
    actions: String,
    resume_on_reopen: bool,
    owner_id: Option<i64>,
    valid_from: String,
    valid_to: Option<String>,
    review_date: Option<String>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for Agreement {
    type Row = AgreementRow;
    const TABLE: &'static str = "agreements";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "kind",
        "description",
        "organisation_id",
        "team_id",
        "supplier_id",
        "calendar_id",
        "targets",
        "pause_on",
        "warning_percent",
        "actions",
        "resume_on_reopen",
        "owner_id",
        "valid_from",
        "valid_to",
        "review_date",
        "active",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: AgreementRow) -> Result<Self> {
        Ok(Agreement {
            id: AgreementId(r.id),
            name: r.name,
            kind: parse_stored("kind", &r.kind, AgreementKind::parse)?,
            description: r.description,
            organisation: r.organisation_id.map(OrganisationId),
            team: r.team_id.map(TeamId),
            supplier: r.supplier_id.map(SupplierId),
            calendar: CalendarId(r.calendar_id),
            targets: stored_json("targets", &r.targets)?,
            pause_on: stored_json("pause_on", &r.pause_on)?,
            warning_percent: stored_json("warning_percent", &r.warning_percent)?,
            actions: stored_json("actions", &r.actions)?,
            resume_on_reopen: r.resume_on_reopen,
            owner: r.owner_id.map(UserId),
            valid_from: stored_date("valid_from", &r.valid_from)?,
            valid_to: r.valid_to.map(|v| stored_date("valid_to", &v)).transpose()?,
            review_date: r.review_date.map(|v| stored_date("review_date", &v)).transpose()?,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            self.kind.as_str(),
            &self.description,
            self.organisation.map(|v| v.0),
            self.team.map(|v| v.0),
            self.supplier.map(|v| v.0),
            self.calendar.0,
            json_text(&self.targets),
            json_text(&self.pause_on),
            json_text(&self.warning_percent),
            json_text(&self.actions),
            self.resume_on_reopen,
            self.owner.map(|v| v.0),
            self.valid_from.to_string(),
            self.valid_to.map(|d| d.to_string()),
            self.review_date.map(|d| d.to_string()),
            self.active,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    /// A deactivated agreement stops its clocks at once and so withdraws their escalations.
    async fn after_write(&self, tx: &mut crate::exec::Tx, at: i64) -> Result<()> {
        if self.active {
            Ok(())
        } else {
            crate::clock::withdraw_for(tx, self, at).await
        }
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("calendar", RecordKind::Calendar, self.calendar.0)];
        refer(
            &mut r,
            "organisation",
            RecordKind::Organisation,
            self.organisation.map(|v| v.0),
        );
        refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        refer(&mut r, "supplier", RecordKind::Supplier, self.supplier.map(|v| v.0));
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        for a in &self.actions {
            refer(&mut r, "actions", RecordKind::Team, a.reassign_team.map(|t| t.0));
        }
        r
    }
}
