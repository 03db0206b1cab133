//! Business-hours calendars: a time zone, weekly opening hours in any number of segments per day,
//! holidays, or 24x7 — and the two operations service levels need: add a business duration to an
//! instant, and measure the business time between two instants.
//!
//! The meaning is exact and stated once: an instant is business time when its wall-clock time in
//! the calendar's zone falls inside one of that local date's segments, and the date is not a
//! holiday. On a day the clocks go forward the skipped hour does not exist and is never counted;
//! on a day they go back the repeated hour is counted each time it occurs, as a person working it
//! would. All arithmetic is in whole microseconds.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::CalendarId;
use crate::patch::set;
use crate::record;
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX};

pub const MICROS_PER_SECOND: i64 = 1_000_000;
const DAY_SECONDS: i64 = 86_400;
/// How far `add` searches for business time before giving up (a calendar whose holidays close it
/// for longer than this has no business time to give).
const MAX_SEARCH_DAYS: i64 = 366 * 30;

/// Opening hours within one day, `start` inclusive to `end` exclusive, as "HH:MM" ("24:00" ends
/// at midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    #[schema(value_type = String, example = "08:00")]
    #[serde(with = "hhmm")]
    pub start: u32,
    #[schema(value_type = String, example = "17:30")]
    #[serde(with = "hhmm")]
    pub end: u32,
}

/// Minutes from midnight as "HH:MM".
mod hhmm {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(m: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:02}:{:02}", m / 60, m % 60))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("'{s}' is not a time of day HH:MM between 00:00 and 24:00"))
        })
    }

    pub fn parse(s: &str) -> Option<u32> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    }
}

/// Opening hours for each day of the week; a day with no segments is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    #[serde(default)]
    pub monday: Vec<Segment>,
    #[serde(default)]
    pub tuesday: Vec<Segment>,
    #[serde(default)]
    pub wednesday: Vec<Segment>,
    #[serde(default)]
    pub thursday: Vec<Segment>,
    #[serde(default)]
    pub friday: Vec<Segment>,
    #[serde(default)]
    pub saturday: Vec<Segment>,
    #[serde(default)]
    pub sunday: Vec<Segment>,
}

impl WeeklyHours {
    fn days(&self) -> [(&'static str, &Vec<Segment>); 7] {
        [
            ("monday", &self.monday),
            ("tuesday", &self.tuesday),
            ("wednesday", &self.wednesday),
            ("thursday", &self.thursday),
            ("friday", &self.friday),
            ("saturday", &self.saturday),
            ("sunday", &self.sunday),
        ]
    }
}

/// A day or an inclusive range of days on which the calendar is closed, in its own zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    /// The last closed day; the same as `from` for a single day.
    pub to: NaiveDate,
}

/// A calendar as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Calendar {
    pub id: CalendarId,
    pub name: String,
    pub description: String,
    /// An IANA zone such as `Europe/Paris`.
    pub time_zone: String,
    /// Open every instant of every day (24x7); `hours` and `holidays` are then ignored.
    pub always_open: bool,
    pub hours: WeeklyHours,
    pub holidays: Vec<Holiday>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Calendar, RecordKind::Calendar, CalendarId);

/// The body of `POST /api/v1/calendars`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCalendar {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub time_zone: String,
    #[serde(default)]
    pub always_open: bool,
    #[serde(default)]
    pub hours: WeeklyHours,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub always_open: Option<bool>,
    #[serde(default)]
    pub hours: Option<WeeklyHours>,
    #[serde(default)]
    pub holidays: Option<Vec<Holiday>>,
}

impl Calendar {
    pub fn create(input: NewCalendar, at: DateTime<Utc>) -> Result<Calendar> {
        let mut cal = Calendar {
            id: CalendarId(0),
            name: input.name.trim().to_string(),
            description: input.description.unwrap_or_default(),
            time_zone: input.time_zone,
            always_open: input.always_open,
            hours: input.hours,
            holidays: input.holidays,
            created_at: at,
            updated_at: at,
        };
        cal.normalise();
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        cal.check(&mut c);
        c.finish()?;
        Ok(cal)
    }

    pub fn apply_patch(&mut self, p: CalendarPatch) -> Result<()> {
        let mut next = self.clone();
        let mut c = Checker::new();
        if let Some(n) = &p.name {
            c.line("name", n, NAME_MAX);
        }
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.time_zone, p.time_zone);
        set(&mut next.always_open, p.always_open);
        set(&mut next.hours, p.hours);
        set(&mut next.holidays, p.holidays);
        next.normalise();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    fn normalise(&mut self) {
        for day in [
            &mut self.hours.monday,
            &mut self.hours.tuesday,
            &mut self.hours.wednesday,
            &mut self.hours.thursday,
            &mut self.hours.friday,
            &mut self.hours.saturday,
            &mut self.hours.sunday,
        ] {
            day.sort_by_key(|s| s.start);
        }
        self.holidays.sort_by_key(|h| (h.from, h.to));
    }

    fn check(&self, c: &mut Checker) {
        c.text("description", &self.description, TEXT_MAX);
        if self.time_zone.parse::<Tz>().is_err() {
            c.fail("time_zone", "must be an IANA time zone such as Europe/Paris or UTC");
        }
        for (day, segments) in self.hours.days() {
            for (i, s) in segments.iter().enumerate() {
                if s.start >= s.end {
                    c.fail(&format!("hours.{day}[{i}]"), "must end after it starts");
                }
                if i > 0 && segments[i - 1].end > s.start {
                    c.fail(&format!("hours.{day}[{i}]"), "overlaps the segment before it");
                }
            }
        }
        if !self.always_open && self.hours.days().iter().all(|(_, s)| s.is_empty()) {
            c.fail(
                "hours",
                "a calendar needs opening hours on at least one day, or always_open",
            );
        }
        for (i, h) in self.holidays.iter().enumerate() {
            c.line(&format!("holidays[{i}].name"), &h.name, NAME_MAX);
            if h.to < h.from {
                c.fail(&format!("holidays[{i}].to"), "must not be before from");
            }
        }
        if self.holidays.len() > 2000 {
            c.fail("holidays", "at most 2000 holidays");
        }
    }

    /// The calendar in the form the arithmetic uses.
    pub fn schedule(&self) -> Result<Schedule> {
        let zone: Tz = self
            .time_zone
            .parse()
            .map_err(|_| Error::unexpected(format!("stored time zone '{}' is unknown", self.time_zone)))?;
        let d = self.hours.days();
        Ok(Schedule {
            zone,
            always_open: self.always_open,
            week: std::array::from_fn(|i| d[i].1.clone()),
            holidays: self.holidays.iter().map(|h| (h.from, h.to)).collect(),
        })
    }
}

/// A calendar ready for arithmetic. Instants are microseconds since the Unix epoch.
#[derive(Debug, Clone)]
pub struct Schedule {
    zone: Tz,
    always_open: bool,
    /// Monday first.
    week: [Vec<Segment>; 7],
    /// Sorted by start.
    holidays: Vec<(NaiveDate, NaiveDate)>,
}

fn to_datetime(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| Error::invalid("instant", "is out of range"))
}

impl Schedule {
    /// Open every instant.
    pub fn always() -> Schedule {
        Schedule {
            zone: Tz::UTC,
            always_open: true,
            week: Default::default(),
            holidays: Vec::new(),
        }
    }

    /// The zone's offset from UTC, in seconds, at an instant (whole seconds since the epoch).
    fn offset_at(&self, secs: i64) -> i64 {
        match DateTime::from_timestamp(secs, 0) {
            Some(t) => i64::from(
                self.zone
                    .offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ),
            None => 0,
        }
    }

    /// Splits `[a, b)` (seconds) into pieces of constant offset: (start, end, offset).
    fn pieces(&self, a: i64, b: i64, out: &mut Vec<(i64, i64, i64)>) {
        let oa = self.offset_at(a);
        if self.offset_at(b - 1) == oa {
            out.push((a, b, oa));
            return;
        }
        // The first second whose offset differs from `a`'s.
        let (mut lo, mut hi) = (a, b - 1);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.offset_at(mid) == oa {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        out.push((a, hi, oa));
        self.pieces(hi, b, out);
    }

    fn is_holiday(&self, d: NaiveDate) -> bool {
        let i = self.holidays.partition_point(|(from, _)| *from <= d);
        self.holidays[..i].iter().any(|(_, to)| d <= *to)
    }

    /// Every open interval `[start, end)` (microseconds) of one local date, in order.
    fn open_on(&self, date: NaiveDate) -> Vec<(i64, i64)> {
        let segments = &self.week[date.weekday().num_days_from_monday() as usize];
        if segments.is_empty() || self.is_holiday(date) {
            return Vec::new();
        }
        // Local seconds of this date's midnight, as if the zone were UTC.
        let local_midnight = i64::from(date.num_days_from_ce() - 719_163) * DAY_SECONDS;
        // Zone offsets lie within -12h..+14h, so every instant of this local date falls in this
        // window.
        let mut pieces = Vec::with_capacity(2);
        self.pieces(
            local_midnight - DAY_SECONDS,
            local_midnight + 2 * DAY_SECONDS,
            &mut pieces,
        );
        let mut out: Vec<(i64, i64)> = Vec::new();
        for seg in segments {
            for &(pa, pb, offset) in &pieces {
                let start = (local_midnight + i64::from(seg.start) * 60 - offset).max(pa);
                let end = (local_midnight + i64::from(seg.end) * 60 - offset).min(pb);
                if start < end {
                    out.push((start * MICROS_PER_SECOND, end * MICROS_PER_SECOND));
                }
            }
        }
        out.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(out.len());
        for (s, e) in out {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }

    fn local_date(&self, micros: i64) -> Result<NaiveDate> {
        Ok(to_datetime(micros)?.with_timezone(&self.zone).date_naive())
    }

    /// The business time in `[from, to)`, in microseconds; zero when `to <= from`.
    pub fn business_time(&self, from: i64, to: i64) -> Result<i64> {
        if to <= from {
            return Ok(0);
        }
        if self.always_open {
            return Ok(to - from);
        }
        let first = self.local_date(from)?;
        let last = self.local_date(to)?;
        let mut total = 0;
        let mut day = first.pred_opt().unwrap_or(first);
        let end = last.succ_opt().unwrap_or(last);
        while day <= end {
            for (s, e) in self.open_on(day) {
                let (s, e) = (s.max(from), e.min(to));
                if s < e {
                    total += e - s;
                }
            }
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        Ok(total)
    }

    /// The earliest instant by which `duration` microseconds of business time have passed since
    /// `start`. A zero duration gives `start` itself.
    pub fn add(&self, start: i64, duration: i64) -> Result<i64> {
        if duration < 0 {
            return Err(Error::invalid("duration", "must not be negative"));
        }
        if duration == 0 {
            return Ok(start);
        }
        if self.always_open {
            return start
                .checked_add(duration)
                .filter(|t| DateTime::from_timestamp_micros(*t).is_some())
                .ok_or_else(|| Error::invalid("duration", "takes the result out of range"));
        }
        let mut remaining = duration;
        let first = self.local_date(start)?;
        let mut day = first.pred_opt().unwrap_or(first);
        for _ in 0..MAX_SEARCH_DAYS {
            for (s, e) in self.open_on(day) {
                if e <= start {
                    continue;
                }
                let s = s.max(start);
                if e - s >= remaining {
                    return Ok(s + remaining);
                }
                remaining -= e - s;
            }
            day = day
                .succ_opt()
                .ok_or_else(|| Error::invalid("duration", "takes the result out of range"))?;
        }
        Err(Error::invalid(
            "duration",
            "this calendar has no business time left in the next 30 years",
        ))
    }
}

/// Parses a duration: whole seconds as a number, or ISO 8601 hours, minutes and seconds such as
/// `PT8H30M` (days are left out on purpose: a "day" of business time is ambiguous).
pub fn parse_duration(field: &str, text: &str) -> Result<i64> {
    let bad = || {
        Error::invalid(
            field,
            "must be seconds (e.g. 3600) or an ISO 8601 duration of hours, minutes and seconds (e.g. PT8H30M)",
        )
    };
    if let Ok(secs) = text.parse::<i64>() {
        return if (0..=10 * 366 * DAY_SECONDS).contains(&secs) {
            Ok(secs * MICROS_PER_SECOND)
        } else {
            Err(bad())
        };
    }
    let rest = text.strip_prefix("PT").ok_or_else(bad)?;
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut seen = String::new();
    for ch in rest.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch {
            'H' => 3600,
            'M' => 60,
            'S' => 1,
            _ => return Err(bad()),
        };
        if number.is_empty() || number.len() > 9 || seen.contains(ch) {
            return Err(bad());
        }
        seen.push(ch);
        total += number.parse::<i64>().map_err(|_| bad())? * unit;
        number.clear();
    }
    if !number.is_empty() || total > 10 * 366 * DAY_SECONDS {
        return Err(bad());
    }
    Ok(total * MICROS_PER_SECOND)
}

/// Formats microseconds as an ISO 8601 duration of hours, minutes and seconds.
pub fn format_duration(micros: i64) -> String {
    let secs = micros / MICROS_PER_SECOND;
    let frac = micros % MICROS_PER_SECOND;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || frac > 0 || (h == 0 && m == 0) {
        if frac > 0 {
            out.push_str(&format!("{s}.{frac:06}S"));
        } else {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

/// A business duration (microseconds), sent and shown as ISO 8601 hours, minutes and seconds
/// (`PT4H`) and also accepted as whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusinessDuration(pub i64);

impl Serialize for BusinessDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for BusinessDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<'a> {
            Seconds(i64),
            Text(std::borrow::Cow<'a, str>),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Seconds(s) => s.to_string(),
            Raw::Text(t) => t.into_owned(),
        };
        parse_duration("duration", &text).map(BusinessDuration).map_err(|_| {
            serde::de::Error::custom(format!(
                "'{}' is not a duration: give seconds (3600) or ISO 8601 hours, minutes and seconds (PT8H30M)",
                text.chars().take(40).collect::<String>()
            ))
        })
    }
}

impl utoipa::PartialSchema for BusinessDuration {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["PT8H30M"])
            .description(Some(
                "A business duration: ISO 8601 hours, minutes and seconds, or whole seconds.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for BusinessDuration {}

/// Opening hours of one day as people write them in a form: segments separated by commas,
/// each `HH:MM-HH:MM` ("08:00-12:00, 13:00-17:30"); empty means closed.
pub fn parse_segments(field: &str, text: &str) -> Result<Vec<Segment>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(vec![]);
    }
    if text.len() > 400 {
        return Err(Error::invalid(field, "is too long for a day's opening hours"));
    }
    text.split(',')
        .map(|part| {
            let part = part.trim();
            let bad = || {
                Error::invalid(
                    field,
                    format!(
                        "'{}' is not opening hours such as 08:00-17:30",
                        part.chars().take(40).collect::<String>()
                    ),
                )
            };
            let (start, end) = part.split_once('-').ok_or_else(bad)?;
            let start = hhmm::parse(start.trim()).ok_or_else(bad)?;
            let end = hhmm::parse(end.trim()).ok_or_else(bad)?;
            if start >= end {
                return Err(Error::invalid(field, format!("'{part}' must end after it starts")));
            }
            Ok(Segment { start, end })
        })
        .collect()
}

/// The written form of a day's opening hours, which `parse_segments` reads back.
pub fn format_segments(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| {
            format!(
                "{:02}:{:02}-{:02}:{:02}",
                s.start / 60,
                s.start % 60,
                s.end / 60,
                s.end % 60
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Holidays as people write them in a form, one a line: a day and its name
/// ("2026-12-25 Christmas Day") or a range of days ("2026-12-24..2026-12-26 Christmas").
pub fn parse_holidays(field: &str, text: &str) -> Result<Vec<Holiday>> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.len() > 2000 {
        return Err(Error::invalid(field, "at most 2000 holidays"));
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let bad = || {
                Error::invalid(
                    field,
                    format!(
                        "line {}: '{}' is not a holiday such as 2026-12-25 Christmas Day or 2026-12-24..2026-12-26 Christmas",
                        i + 1,
                        line.chars().take(40).collect::<String>()
                    ),
                )
            };
            let (days, name) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
            let (from, to) = days.split_once("..").unwrap_or((days, days));
            let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad());
            let (from, to) = (day(from)?, day(to)?);
            if to < from {
                return Err(Error::invalid(
                    field,
                    format!("line {}: the last day comes before the first", i + 1),
                ));
            }
            Ok(Holiday {
                name: name.trim().to_string(),
                from,
                to,
            })
        })
        .collect()
}

/// The written form of holidays, which `parse_holidays` reads back.
pub fn format_holidays(holidays: &[Holiday]) -> String {
    holidays
        .iter()
        .map(|h| {
            if h.from == h.to {
                format!("{} {}", h.from, h.name)
            } else {
                format!("{}..{} {}", h.from, h.to, h.name)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A business duration as people write it in a form: hours and minutes ("4h", "30m",
/// "1h 30m"), or ISO 8601 ("PT4H"). A bare number is refused, since its unit would be a guess.
pub fn parse_written_duration(field: &str, text: &str) -> Result<i64> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if compact.is_empty() || compact.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            field,
            "give hours and minutes, such as 4h, 30m or 1h30m",
        ));
    }
    let iso = if compact.starts_with("PT") {
        compact
    } else {
        format!("PT{compact}")
    };
    parse_duration(field, &iso).map_err(|_| Error::invalid(field, "give hours and minutes, such as 4h, 30m or 1h30m"))
}

/// The IANA time zones a calendar may be kept in, in the order of the zone database.
pub fn time_zones() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())
}
