//! Business-hours calendars in the administration: a form to add one or change one, with the
//! opening hours of each weekday and the holidays written as people write them
//! ("08:00-12:00, 13:00-17:30"; "2026-12-25 Christmas Day"), read by core's parsers. The record
//! is written through the API's own calls, so the access table and the calendar's checks apply.

use askama::Template;
use axum::extract::Path;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::calendar::{
    Calendar, CalendarPatch, NewCalendar, WeeklyHours, format_holidays, format_segments, parse_holidays,
    parse_segments, time_zones,
};
use steward_core::history::HistoryAction;
use steward_core::record::RecordKind;

use super::form::{FormErrors, parsed, text};
use super::session::Posted;
use super::{Chrome, UiResult, Viewer, record_href, render, see_other};
use crate::api::{create, modify, read_one};
use crate::error::ApiError;

/// The calendar form as typed, so a refused form comes back as it was.
#[derive(Debug, Default, Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    time_zone: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    always_open: Option<String>,
    #[serde(default)]
    monday: String,
    #[serde(default)]
    tuesday: String,
    #[serde(default)]
    wednesday: String,
    #[serde(default)]
    thursday: String,
    #[serde(default)]
    friday: String,
    #[serde(default)]
    saturday: String,
    #[serde(default)]
    sunday: String,
    #[serde(default)]
    holidays: String,
}

impl CalendarForm {
    fn of(c: &Calendar) -> CalendarForm {
        let h = &c.hours;
        CalendarForm {
            name: c.name.clone(),
            description: c.description.clone(),
            time_zone: c.time_zone.clone(),
            always_open: c.always_open.then(|| "yes".into()),
            monday: format_segments(&h.monday),
            tuesday: format_segments(&h.tuesday),
            wednesday: format_segments(&h.wednesday),
            thursday: format_segments(&h.thursday),
            friday: format_segments(&h.friday),
            saturday: format_segments(&h.saturday),
            sunday: format_segments(&h.sunday),
            holidays: format_holidays(&c.holidays),
        }
    }

    /// The weekdays in order, each with its field name, label and value.
    fn days(&self) -> [(&'static str, &'static str, &str); 7] {
        [
            ("monday", "Monday", &self.monday),
            ("tuesday", "Tuesday", &self.tuesday),
            ("wednesday", "Wednesday", &self.wednesday),
            ("thursday", "Thursday", &self.thursday),
            ("friday", "Friday", &self.friday),
            ("saturday", "Saturday", &self.saturday),
            ("sunday", "Sunday", &self.sunday),
        ]
    }

    /// The opening hours and holidays read from the form, or the fields that are wrong.
    fn read(&self, e: &mut FormErrors) -> (WeeklyHours, Vec<steward_core::calendar::Holiday>) {
        let mut day = |field: &str, v: &str| parsed(e, parse_segments(field, v)).unwrap_or_default();
        let hours = WeeklyHours {
            monday: day("monday", &self.monday),
            tuesday: day("tuesday", &self.tuesday),
            wednesday: day("wednesday", &self.wednesday),
            thursday: day("thursday", &self.thursday),
            friday: day("friday", &self.friday),
            saturday: day("saturday", &self.saturday),
            sunday: day("sunday", &self.sunday),
        };
        let holidays = parsed(e, parse_holidays("holidays", &self.holidays)).unwrap_or_default();
        (hours, holidays)
    }
}

#[derive(Template)]
#[template(path = "calendar/form.html")]
struct CalendarPage {
    chrome: Chrome,
    /// The reference of the calendar being changed; none for a new one.
    editing: Option<String>,
    action: String,
    form: CalendarForm,
    zones: Vec<&'static str>,
    errors: FormErrors,
}

fn show(viewer: &Viewer, editing: Option<String>, form: CalendarForm, errors: FormErrors) -> UiResult<Response> {
    let op = if editing.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    authorize(&viewer.ctx.actor, RecordKind::Calendar, op)?;
    let status = errors.status();
    let page = CalendarPage {
        chrome: viewer.chrome("admin"),
        action: match &editing {
            Some(r) => format!("/calendars/{r}/edit"),
            None => "/calendars/new".into(),
        },
        editing,
        form,
        zones: time_zones().collect(),
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn new_calendar_page(viewer: Viewer) -> UiResult<Response> {
    let form = CalendarForm {
        time_zone: "UTC".into(),
        monday: "09:00-17:00".into(),
        tuesday: "09:00-17:00".into(),
        wednesday: "09:00-17:00".into(),
        thursday: "09:00-17:00".into(),
        friday: "09:00-17:00".into(),
        ..CalendarForm::default()
    };
    show(&viewer, None, form, FormErrors::default())
}

pub async fn create_calendar(posted: Posted<CalendarForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let mut e = FormErrors::default();
    let (hours, holidays) = form.read(&mut e);
    if e.any() {
        return show(&viewer, None, form, e);
    }
    let input = NewCalendar {
        name: form.name.clone(),
        description: text(&form.description),
        time_zone: form.time_zone.trim().to_string(),
        always_open: form.always_open.is_some(),
        hours,
        holidays,
    };
    let outcome = async {
        let calendar = Calendar::create(input, viewer.ctx.now)?;
        let (_, axum::Json(saved)) = create(&viewer.ctx, calendar).await?;
        Ok::<_, ApiError>(saved)
    }
    .await;
    match outcome {
        Ok(saved) => Ok(see_other(&record_href(RecordKind::Calendar, saved.id.0))),
        Err(ApiError::Domain(Error::Invalid(fields))) => show(&viewer, None, form, FormErrors(fields)),
        Err(other) => Err(other.into()),
    }
}

pub async fn edit_calendar_page(viewer: Viewer, Path(reference): Path<String>) -> UiResult<Response> {
    let calendar: Calendar = read_one(&viewer.ctx, &reference).await?;
    let reference = calendar.id.to_string();
    show(
        &viewer,
        Some(reference),
        CalendarForm::of(&calendar),
        FormErrors::default(),
    )
}

pub async fn update_calendar(uri: Uri, posted: Posted<CalendarForm>) -> UiResult<Response> {
    let (_, reference) = super::posted_to(uri.path(), &[RecordKind::Calendar])?;
    let Posted { viewer, form } = posted;
    let mut e = FormErrors::default();
    let (hours, holidays) = form.read(&mut e);
    if e.any() {
        return show(&viewer, Some(reference), form, e);
    }
    let patch = CalendarPatch {
        name: Some(form.name.clone()),
        description: Some(form.description.trim().to_string()),
        time_zone: Some(form.time_zone.trim().to_string()),
        always_open: Some(form.always_open.is_some()),
        hours: Some(hours),
        holidays: Some(holidays),
    };
    match modify(&viewer.ctx, &reference, HistoryAction::Update, |c: &mut Calendar| {
        c.apply_patch(patch)
    })
    .await
    {
        Ok(_) => Ok(see_other(uri.path().trim_end_matches("/edit"))),
        Err(ApiError::Domain(Error::Invalid(fields))) => show(&viewer, Some(reference), form, FormErrors(fields)),
        Err(other) => Err(other.into()),
    }
}
