//! Business-hours arithmetic: named cases a person can check by hand, and properties that must
//! hold for any calendar and any instants.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use steward_core::calendar::{
    Calendar, Holiday, NewCalendar, Schedule, Segment, WeeklyHours, format_duration, parse_duration,
};

const H: i64 = 3_600_000_000;
const M: i64 = 60_000_000;

fn seg(a: &str, b: &str) -> Segment {
    let p = |s: &str| {
        let (h, m) = s.split_once(':').unwrap();
        h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
    };
    Segment { start: p(a), end: p(b) }
}

fn holiday(name: &str, from: &str, to: &str) -> Holiday {
    Holiday {
        name: name.into(),
        from: from.parse().unwrap(),
        to: to.parse().unwrap(),
    }
}

fn calendar(zone: &str, weekdays: Vec<Segment>, weekend: Vec<Segment>, holidays: Vec<Holiday>) -> Schedule {
    let hours = WeeklyHours {
        monday: weekdays.clone(),
        tuesday: weekdays.clone(),
        wednesday: weekdays.clone(),
        thursday: weekdays.clone(),
        friday: weekdays,
        saturday: weekend.clone(),
        sunday: weekend,
    };
    let input = NewCalendar {
        name: "test".into(),
        description: None,
        time_zone: zone.into(),
        always_open: false,
        hours,
        holidays,
    };
    Calendar::create(input, Utc::now()).unwrap().schedule().unwrap()
}

/// The office: Paris, weekdays 08:00-12:00 and 13:00-17:30, Christmas and New Year closed.
fn office() -> Schedule {
    calendar(
        "Europe/Paris",
        vec![seg("08:00", "12:00"), seg("13:00", "17:30")],
        vec![],
        vec![
            holiday("Christmas", "2026-12-25", "2026-12-25"),
            holiday("New Year", "2026-12-31", "2027-01-01"),
        ],
    )
}

/// A local wall-clock time in a zone, as microseconds since the epoch (the earlier instant when
/// the time occurs twice).
fn at(zone: &str, s: &str) -> i64 {
    let tz: Tz = zone.parse().unwrap();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_micros()
}

fn paris(s: &str) -> i64 {
    at("Europe/Paris", s)
}

#[test]
fn measured_business_time_in_named_cases() {
    let o = office();
    let cases: &[(&str, &str, &str, i64)] = &[
        ("inside one segment", "2026-11-23 09:00", "2026-11-23 11:00", 2 * H),
        ("across lunch", "2026-11-23 11:00", "2026-11-23 14:00", 2 * H),
        (
            "starting before opening",
            "2026-11-23 06:00",
            "2026-11-23 08:30",
            30 * M,
        ),
        ("over a weekend", "2026-11-27 16:30", "2026-11-30 09:00", 2 * H),
        (
            "a whole week",
            "2026-11-23 00:00",
            "2026-11-30 00:00",
            5 * (8 * H + 30 * M),
        ),
        ("over Christmas", "2026-12-24 17:00", "2026-12-28 08:30", H),
        (
            "over the year end holidays",
            "2026-12-30 17:00",
            "2027-01-04 08:15",
            45 * M,
        ),
        ("entirely closed", "2026-11-28 08:00", "2026-11-29 20:00", 0),
        ("reversed", "2026-11-23 11:00", "2026-11-23 09:00", 0),
        // Spring forward (Sunday 29 March) and fall back (Sunday 25 October) fall on closed days.
        ("over the spring change", "2026-03-27 17:00", "2026-03-30 08:30", 60 * M),
        ("over the autumn change", "2026-10-23 17:00", "2026-10-26 08:30", 60 * M),
    ];
    for (name, from, to, want) in cases {
        let got = o.business_time(paris(from), paris(to)).unwrap();
        assert_eq!(got, *want, "{name}: {}", format_duration(got));
    }
}

#[test]
fn added_business_time_in_named_cases() {
    let o = office();
    let cases: &[(&str, &str, i64, &str)] = &[
        ("within a segment", "2026-11-23 09:00", H, "2026-11-23 10:00"),
        (
            "ends exactly at closing: due at closing, not next opening",
            "2026-11-23 08:00",
            4 * H,
            "2026-11-23 12:00",
        ),
        ("over lunch", "2026-11-23 11:30", H, "2026-11-23 13:30"),
        ("from lunch", "2026-11-23 12:15", H, "2026-11-23 14:00"),
        ("over a weekend", "2026-11-27 16:00", 4 * H, "2026-11-30 10:30"),
        ("from a Saturday", "2026-11-28 10:00", 30 * M, "2026-11-30 08:30"),
        (
            "over the holidays and year end",
            "2026-12-30 17:00",
            H,
            "2027-01-04 08:30",
        ),
        ("zero", "2026-11-28 10:00", 0, "2026-11-28 10:00"),
    ];
    for (name, start, d, want) in cases {
        assert_eq!(o.add(paris(start), *d).unwrap(), paris(want), "{name}");
    }
}

#[test]
fn clocks_changing_count_real_hours() {
    // Open every day 01:00-04:00: on 29 March 02:00-03:00 does not exist; on 25 October it
    // happens twice.
    let night = calendar(
        "Europe/Paris",
        vec![seg("01:00", "04:00")],
        vec![seg("01:00", "04:00")],
        vec![],
    );
    let day = |d: &str| (paris(&format!("{d} 00:00")), paris(&format!("{d} 12:00")));
    let (a, b) = day("2026-03-29");
    assert_eq!(night.business_time(a, b).unwrap(), 2 * H);
    let (a, b) = day("2026-10-25");
    assert_eq!(night.business_time(a, b).unwrap(), 4 * H);
    let (a, b) = day("2026-03-30");
    assert_eq!(night.business_time(a, b).unwrap(), 3 * H);
    // 01:30 + 1h on the spring day: 30 minutes before the gap, 30 after it, at 03:30 local.
    assert_eq!(
        night.add(paris("2026-03-29 01:30"), H).unwrap(),
        paris("2026-03-29 03:30")
    );
    // On the autumn day 1h from 01:30 (summer time) lands at 02:30 summer time, still before the
    // repeat; 2h lands at 02:30 winter time.
    let start = paris("2026-10-25 01:30");
    assert_eq!(night.add(start, H).unwrap(), start + H);
    assert_eq!(night.add(start, 2 * H).unwrap(), start + 2 * H);

    // Open all day every day: the spring day has 23 hours, the autumn day 25.
    let all = calendar(
        "Europe/Paris",
        vec![seg("00:00", "24:00")],
        vec![seg("00:00", "24:00")],
        vec![],
    );
    assert_eq!(
        all.business_time(paris("2026-03-29 00:00"), paris("2026-03-30 00:00"))
            .unwrap(),
        23 * H
    );
    assert_eq!(
        all.business_time(paris("2026-10-25 00:00"), paris("2026-10-26 00:00"))
            .unwrap(),
        25 * H
    );

    // New York changes on 8 March, a closed Sunday for this desk.
    let ny = calendar("America/New_York", vec![seg("09:00", "17:00")], vec![], vec![]);
    let from = at("America/New_York", "2026-03-06 16:00");
    let to = at("America/New_York", "2026-03-09 10:00");
    assert_eq!(ny.business_time(from, to).unwrap(), 2 * H);
    assert_eq!(ny.add(from, 2 * H).unwrap(), to);
}

#[test]
fn night_shifts_run_across_midnight_and_24x7_is_plain_time() {
    let night = calendar(
        "UTC",
        vec![seg("00:00", "06:00"), seg("22:00", "24:00")],
        vec![],
        vec![],
    );
    let t = |s: &str| at("UTC", s);
    assert_eq!(
        night
            .business_time(t("2026-11-23 23:00"), t("2026-11-24 01:00"))
            .unwrap(),
        2 * H
    );
    assert_eq!(night.add(t("2026-11-23 23:30"), H).unwrap(), t("2026-11-24 00:30"));
    let always = Schedule::always();
    assert_eq!(
        always
            .business_time(t("2026-11-23 23:00"), t("2026-11-28 01:00"))
            .unwrap(),
        98 * H
    );
    assert_eq!(
        always.add(t("2026-11-23 23:00"), 98 * H).unwrap(),
        t("2026-11-28 01:00")
    );
}

#[test]
fn definitions_are_checked_field_by_field() {
    let bad = NewCalendar {
        name: "bad".into(),
        description: None,
        time_zone: "Mars/Olympus".into(),
        always_open: false,
        hours: WeeklyHours {
            monday: vec![seg("09:00", "12:00"), seg("11:00", "13:00")],
            tuesday: vec![seg("17:00", "09:00")],
            ..Default::default()
        },
        holidays: vec![holiday("Backwards", "2026-12-26", "2026-12-24")],
    };
    match Calendar::create(bad, Utc::now()) {
        Err(steward_core::Error::Invalid(f)) => {
            let mut names: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
            names.sort();
            assert_eq!(
                names,
                ["holidays[0].to", "hours.monday[1]", "hours.tuesday[0]", "time_zone"]
            );
        }
        other => panic!("{other:?}"),
    }
    let closed = NewCalendar {
        name: "closed".into(),
        description: None,
        time_zone: "UTC".into(),
        always_open: false,
        hours: WeeklyHours::default(),
        holidays: vec![],
    };
    assert!(Calendar::create(closed, Utc::now()).is_err());
    let from_json: Result<Segment, _> = serde_json::from_str(r#"{"start":"25:00","end":"26:00"}"#);
    assert!(from_json.is_err());
}

#[test]
fn durations_parse_and_print() {
    assert_eq!(parse_duration("d", "PT8H30M").unwrap(), 8 * H + 30 * M);
    assert_eq!(parse_duration("d", "3600").unwrap(), H);
    assert_eq!(parse_duration("d", "PT45S").unwrap(), 45_000_000);
    for bad in [
        "",
        "PT",
        "P1D",
        "PT1H1H",
        "PT-1H",
        "-5",
        "8h",
        "PT1.5H",
        "PT99999999999H",
    ] {
        assert!(parse_duration("d", bad).is_err(), "{bad}");
    }
    assert_eq!(format_duration(8 * H + 30 * M), "PT8H30M");
    assert_eq!(format_duration(0), "PT0S");
    assert_eq!(format_duration(1_500_000), "PT1.500000S");
}

const ZONES: &[&str] = &[
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
];

fn any_calendar() -> impl Strategy<Value = Schedule> {
    let day = proptest::collection::vec((0u32..48, 1u32..16), 0..3).prop_map(|raw| {
        // Turn (start half-hour, length) pairs into sorted, non-overlapping segments.
        let mut segs: Vec<Segment> = Vec::new();
        let mut cursor = 0;
        for (start, len) in raw {
            let s = (cursor.max(start * 30)).min(1439);
            let e = (s + len * 30).min(1440);
            if s < e {
                segs.push(Segment { start: s, end: e });
                cursor = e;
            }
        }
        segs
    });
    (
        proptest::sample::select(ZONES),
        proptest::collection::vec(day, 7),
        proptest::collection::vec((0i64..700, 0i64..5), 0..4),
    )
        .prop_filter_map("needs open hours", |(zone, days, hols)| {
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let holidays = hols
                .into_iter()
                .map(|(start, len)| Holiday {
                    name: "h".into(),
                    from: base + chrono::Days::new(start as u64),
                    to: base + chrono::Days::new((start + len) as u64),
                })
                .collect();
            let hours = WeeklyHours {
                monday: days[0].clone(),
                tuesday: days[1].clone(),
                wednesday: days[2].clone(),
                thursday: days[3].clone(),
                friday: days[4].clone(),
                saturday: days[5].clone(),
                sunday: days[6].clone(),
            };
            let input = NewCalendar {
                name: "p".into(),
                description: None,
                time_zone: zone.to_string(),
                always_open: false,
                hours,
                holidays,
            };
            Calendar::create(input, DateTime::<Utc>::UNIX_EPOCH)
                .ok()
                .map(|c| c.schedule().unwrap())
        })
}

fn instant() -> impl Strategy<Value = i64> {
    // Any second in 2026 and 2027, both DST changes included.
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap().timestamp();
    (0i64..2 * 365 * 86_400).prop_map(move |s| (start + s) * 1_000_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn business_time_is_additive_over_any_split(cal in any_calendar(), a in instant(), b in instant(), c in instant()) {
        let mut v = [a, b, c];
        v.sort_unstable();
        let [a, b, c] = v;
        let whole = cal.business_time(a, c).unwrap();
        prop_assert_eq!(whole, cal.business_time(a, b).unwrap() + cal.business_time(b, c).unwrap());
        prop_assert!(whole >= 0 && whole <= c - a);
    }

    #[test]
    fn add_then_measure_round_trips_and_is_the_earliest(cal in any_calendar(), start in instant(), minutes in 0i64..20_000) {
        let d = minutes * M;
        let due = cal.add(start, d).unwrap();
        prop_assert!(due >= start);
        prop_assert_eq!(cal.business_time(start, due).unwrap(), d);
        if d > 0 {
            prop_assert!(cal.business_time(start, due - 1).unwrap() < d, "an earlier instant would do");
        }
        let later = cal.add(start, d + M).unwrap();
        prop_assert!(later > due);
    }
}

#[test]
fn written_hours_holidays_and_durations_read_back_what_they_write() {
    use steward_core::calendar::{
        format_holidays, format_segments, parse_holidays, parse_segments, parse_written_duration,
    };
    let day = parse_segments("monday", " 08:00-12:00, 13:00 - 17:30 ").unwrap();
    assert_eq!(format_segments(&day), "08:00-12:00, 13:00-17:30");
    assert_eq!(parse_segments("monday", "").unwrap(), vec![]);
    assert_eq!(
        format_segments(&parse_segments("sunday", "00:00-24:00").unwrap()),
        "00:00-24:00"
    );
    for bad in ["8-17", "08:00", "17:00-08:00", "08:00-25:00", "08:00-12:00,", "a-b"] {
        let err = parse_segments("tuesday", bad).unwrap_err().to_string();
        assert!(err.contains("tuesday"), "{bad}: {err}");
    }
    let holidays = parse_holidays(
        "holidays",
        "2026-12-25 Christmas Day\n\n2026-12-31..2027-01-01 New Year",
    )
    .unwrap();
    assert_eq!(holidays.len(), 2);
    assert_eq!(holidays[1].name, "New Year");
    assert_eq!(
        format_holidays(&holidays),
        "2026-12-25 Christmas Day\n2026-12-31..2027-01-01 New Year"
    );
    for bad in [
        "Christmas",
        "2026-12-25",
        "2026-13-01 Nothing",
        "2027-01-02..2027-01-01 Backwards",
    ] {
        assert!(parse_holidays("holidays", bad).is_err(), "{bad}");
    }
    assert_eq!(parse_written_duration("P1.response", "4h").unwrap(), 4 * 3_600_000_000);
    assert_eq!(parse_written_duration("x", "1h 30m").unwrap(), 90 * 60_000_000);
    assert_eq!(parse_written_duration("x", "pt15m").unwrap(), 15 * 60_000_000);
    for bad in ["", "30", "4 days", "h", "-4h"] {
        let err = parse_written_duration("P2.resolution", bad).unwrap_err().to_string();
        assert!(err.contains("P2.resolution"), "{bad}: {err}");
    }
}
