//! How teams and their members are stored.

use chrono::{DateTime, Utc};
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::{TeamId, UserId};
use steward_core::record::RecordKind;
use steward_core::team::Team;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::{Table, check_references};
use crate::{Store, args, from_micros, history, micros};

#[derive(sqlx::FromRow)]
pub struct TeamRow {
    id: i64,
    name: String,
    description: String,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for Team {
    type Row = TeamRow;
    const TABLE: &'static str = "teams";
    const COLUMNS: &'static [&'static str] = &["name", "description", "active", "created_at", "updated_at"];

    fn from_row(r: TeamRow) -> Result<Self> {
        Ok(Team {
            id: TeamId(r.id),
            name: r.name,
            description: r.description,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.description,
            self.active,
            micros(self.created_at),
            micros(self.updated_at)
        ]
    }
}

impl Store {
    /// Adds or removes a member, with a history entry on the team.
    pub async fn set_team_member(
        &self,
        team: TeamId,
        user: UserId,
        member: bool,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        check_references(
            &mut tx,
            &[("team", RecordKind::Team, team.0), ("user", RecordKind::User, user.0)],
        )
        .await?;
        let (n, action) = if member {
            let n = tx
                .execute(
                    "INSERT INTO team_members (team_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    args![team.0, user.0, micros(at)],
                )
                .await?;
            (n, HistoryAction::MemberAdded)
        } else {
            let n = tx
                .execute(
                    "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2",
                    args![team.0, user.0],
                )
                .await?;
            (n, HistoryAction::MemberRemoved)
        };
        if n == 0 {
            return Err(if member {
                Error::Conflict(format!("{user} is already a member of {team}"))
            } else {
                Error::not_found("team member", format!("{user} in {team}"))
            });
        }
        history::append(
            &mut tx,
            vec![EntryContent {
                record_kind: RecordKind::Team,
                record_id: team.0,
                actor,
                at_micros: micros(at),
                action,
                field: Some("members".into()),
                old_value: None,
                new_value: Some(format!("\"{user}\"")),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn team_members(&self, team: TeamId) -> Result<Vec<UserId>> {
        let mut c = self.read().await?;
        let rows: Vec<(i64,)> = c
            .fetch_all(
                "SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY user_id",
                args![team.0],
            )
            .await?;
        Ok(rows.into_iter().map(|(u,)| UserId(u)).collect())
    }

    pub async fn teams_of(&self, user: UserId) -> Result<Vec<TeamId>> {
        let mut c = self.read().await?;
        let rows: Vec<(i64,)> = c
            .fetch_all(
                "SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id",
                args![user.0],
            )
            .await?;
        Ok(rows.into_iter().map(|(t,)| TeamId(t)).collect())
    }
}
