//! How business-hours calendars are stored.

use steward_core::calendar::Calendar;
use steward_core::id::CalendarId;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, json_text, micros};

#[derive(sqlx::FromRow)]
pub struct CalendarRow {
    id: i64,
    name: String,
    description: String,
    time_zone: String,
    always_open: bool,
    hours: String,
    holidays: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Calendar {
    type Row = CalendarRow;
    const TABLE: &'static str = "calendars";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "description",
        "time_zone",
        "always_open",
        "hours",
        "holidays",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: CalendarRow) -> Result<Self> {
        let parse =
            |column: &str, text: &str| Error::unexpected(format!("stored calendar {column} is not valid: {text}"));
        Ok(Calendar {
            id: CalendarId(r.id),
            name: r.name,
            description: r.description,
            time_zone: r.time_zone,
            always_open: r.always_open,
            hours: serde_json::from_str(&r.hours).map_err(|e| parse("hours", &e.to_string()))?,
            holidays: serde_json::from_str(&r.holidays).map_err(|e| parse("holidays", &e.to_string()))?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.description,
            &self.time_zone,
            self.always_open,
            json_text(&self.hours),
            json_text(&self.holidays),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }
}
