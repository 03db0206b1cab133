//! Service level clocks: exact under any sequence of pauses, resumptions, re-targeting, stops and
//! reopenings, checked against a model that simply lists the intervals the clock ran.

#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use steward_core::calendar::{Calendar, NewCalendar, Schedule, Segment, WeeklyHours};
use steward_core::clock::{Clock, ClockScope, ClockState, Metric, Phase};
use steward_core::id::AgreementId;

const H: i64 = 3_600_000_000;
const M: i64 = 60_000_000;

fn office() -> Schedule {
    let day = vec![
        Segment {
            start: 8 * 60,
            end: 12 * 60,
        },
        Segment {
            start: 13 * 60,
            end: 17 * 60 + 30,
        },
    ];
    let hours = WeeklyHours {
        monday: day.clone(),
        tuesday: day.clone(),
        wednesday: day.clone(),
        thursday: day.clone(),
        friday: day,
        ..Default::default()
    };
    let input = NewCalendar {
        name: "o".into(),
        description: None,
        time_zone: "Europe/Paris".into(),
        always_open: false,
        hours,
        holidays: vec![],
    };
    Calendar::create(input, Utc::now()).unwrap().schedule().unwrap()
}

fn paris(s: &str) -> i64 {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Europe::Paris
        .from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_micros()
}

#[test]
fn pending_over_a_weekend_credits_no_time_and_due_moves_by_the_pause() {
    let cal = office();
    // Opened Friday 16:00 with 4 business hours: due Monday 10:30.
    let mut c = Clock::start(
        Metric::Resolution,
        AgreementId(1),
        4 * H,
        paris("2026-11-27 16:00"),
        &cal,
    )
    .unwrap();
    assert_eq!(c.due_at, Some(paris("2026-11-30 10:30")));
    // Waiting for the customer from Friday 17:00 to Monday 09:00: 1h used, 1h of the pause was
    // business time (Monday 08:00-09:00), so due moves to 11:30.
    c.follow(Phase::Paused, paris("2026-11-27 17:00"), &cal, true).unwrap();
    assert_eq!(
        c.view(ClockScope::ServiceLevel, paris("2026-11-29 12:00"), &cal)
            .unwrap()
            .state,
        ClockState::Paused
    );
    c.follow(Phase::Running, paris("2026-11-30 09:00"), &cal, true).unwrap();
    assert_eq!(c.elapsed, H);
    assert_eq!(c.due_at, Some(paris("2026-11-30 12:00")));
    // Resolved at the due instant exactly: met.
    c.follow(Phase::Done, paris("2026-11-30 12:00"), &cal, true).unwrap();
    let v = c
        .view(ClockScope::ServiceLevel, paris("2026-12-01 09:00"), &cal)
        .unwrap();
    assert_eq!((v.state, v.elapsed.as_str()), (ClockState::Met, "PT4H"));
}

#[test]
fn breach_is_at_the_due_instant_and_survives_resolution() {
    let cal = office();
    let mut c = Clock::start(Metric::Resolution, AgreementId(1), H, paris("2026-11-23 09:00"), &cal).unwrap();
    let due = paris("2026-11-23 10:00");
    assert_eq!(
        c.view(ClockScope::ServiceLevel, due, &cal).unwrap().state,
        ClockState::Running,
        "exactly used up is still within"
    );
    let v = c.view(ClockScope::ServiceLevel, due + 1, &cal).unwrap();
    assert_eq!(
        (v.state, v.breached_at.map(|t| t.timestamp_micros())),
        (ClockState::Breached, Some(due))
    );
    c.follow(Phase::Done, paris("2026-11-23 11:00"), &cal, true).unwrap();
    assert_eq!(
        c.view(ClockScope::ServiceLevel, paris("2026-11-24 09:00"), &cal)
            .unwrap()
            .state,
        ClockState::Breached
    );
    assert_eq!(c.breached_at, Some(due));
}

#[test]
fn reprioritising_keeps_elapsed_time_and_recomputes_from_the_original_start() {
    let cal = office();
    let start = paris("2026-11-23 09:00");
    let mut c = Clock::start(Metric::Resolution, AgreementId(1), 8 * H, start, &cal).unwrap();
    // Two hours in, the priority rises: the target is now 4h from the same start.
    c.retarget(AgreementId(1), 4 * H, paris("2026-11-23 11:00"), &cal, &cal)
        .unwrap();
    assert_eq!(c.elapsed, 2 * H);
    assert_eq!(c.due_at, Some(paris("2026-11-23 14:00")));
    // Down to 1h: already used up, so breached from now.
    c.retarget(AgreementId(1), H, paris("2026-11-23 11:30"), &cal, &cal)
        .unwrap();
    assert_eq!(
        c.view(ClockScope::ServiceLevel, paris("2026-11-23 11:30"), &cal)
            .unwrap()
            .state,
        ClockState::Breached
    );
    // A change of agreement to 24x7 mid-flight: time so far counted in the office calendar.
    let always = Schedule::always();
    c.retarget(AgreementId(2), 10 * H, paris("2026-11-23 12:30"), &cal, &always)
        .unwrap();
    assert_eq!(c.elapsed, 3 * H);
    assert_eq!(c.due_at, Some(paris("2026-11-23 19:30")));
    assert_eq!(
        c.view(ClockScope::ServiceLevel, paris("2026-11-23 13:00"), &cal)
            .unwrap()
            .state,
        ClockState::Running
    );
}

#[test]
fn reopening_resumes_only_when_the_agreement_says_so() {
    let cal = Schedule::always();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap().timestamp_micros();
    for (resume, elapsed_after) in [(true, 3 * H), (false, H)] {
        let mut c = Clock::start(Metric::Resolution, AgreementId(1), 8 * H, t0, &cal).unwrap();
        c.follow(Phase::Done, t0 + H, &cal, resume).unwrap();
        c.follow(Phase::Running, t0 + 5 * H, &cal, resume).unwrap();
        c.follow(Phase::Done, t0 + 7 * H, &cal, resume).unwrap();
        assert_eq!(c.elapsed, elapsed_after, "resume_on_reopen = {resume}");
    }
    let mut c = Clock::start(Metric::Resolution, AgreementId(1), 8 * H, t0, &cal).unwrap();
    c.follow(Phase::Cancelled, t0 + H, &cal, true).unwrap();
    assert_eq!(
        c.view(ClockScope::ServiceLevel, t0 + 9 * H, &cal).unwrap().state,
        ClockState::Cancelled
    );
    let mut c = Clock::start(Metric::Resolution, AgreementId(1), 8 * H, t0, &cal).unwrap();
    c.withdraw(t0 + 2 * H, &cal).unwrap();
    let v = c.view(ClockScope::ServiceLevel, t0 + 9 * H, &cal).unwrap();
    assert_eq!((v.state, v.elapsed_seconds), (ClockState::Withdrawn, 7200));
}

#[test]
fn many_short_pauses_equal_one_pause_of_the_same_total() {
    let cal = Schedule::always();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap().timestamp_micros();
    let mut many = Clock::start(Metric::Resolution, AgreementId(1), 8 * H, t0, &cal).unwrap();
    let mut t = t0;
    for _ in 0..30 {
        t += 5 * M;
        many.follow(Phase::Paused, t, &cal, true).unwrap();
        t += 2 * M;
        many.follow(Phase::Running, t, &cal, true).unwrap();
    }
    let mut one = Clock::start(Metric::Resolution, AgreementId(1), 8 * H, t0, &cal).unwrap();
    one.follow(Phase::Paused, t0 + 150 * M, &cal, true).unwrap();
    one.follow(Phase::Running, t0 + 210 * M, &cal, true).unwrap();
    assert_eq!(
        many.elapsed_at(t0 + 10 * H, &cal).unwrap(),
        one.elapsed_at(t0 + 10 * H, &cal).unwrap()
    );
    assert_eq!(many.due_at, one.due_at);
}

/// GLPI's bug: an agreement changed while the ticket waits loses the time already paused.
#[test]
fn changing_the_agreement_while_paused_loses_nothing() {
    let cal = office();
    let mut c = Clock::start(
        Metric::Resolution,
        AgreementId(1),
        8 * H,
        paris("2026-11-23 09:00"),
        &cal,
    )
    .unwrap();
    c.follow(Phase::Paused, paris("2026-11-23 11:00"), &cal, true).unwrap();
    c.retarget(AgreementId(2), 6 * H, paris("2026-11-24 10:00"), &cal, &cal)
        .unwrap();
    assert_eq!(
        c.view(ClockScope::ServiceLevel, paris("2026-11-24 10:00"), &cal)
            .unwrap()
            .state,
        ClockState::Paused
    );
    c.follow(Phase::Running, paris("2026-11-24 14:00"), &cal, true).unwrap();
    assert_eq!(
        c.elapsed,
        2 * H,
        "the two hours before the pause are kept, the pause is not counted"
    );
    assert_eq!(
        c.due_at,
        Some(paris("2026-11-25 08:30")),
        "3.5h on Tuesday afternoon, 30 minutes on Wednesday"
    );
}

/// GLPI's bug: escalations at midnight with multi-segment days. Due instants fall inside opening
/// hours (or exactly at a closing time), never at a day boundary.
#[test]
fn due_instants_never_fall_on_midnight_in_multi_segment_days() {
    let cal = office();
    let start = paris("2026-11-23 10:00");
    for minutes in (15..=2000).step_by(15) {
        let due = cal.add(start, minutes * M).unwrap();
        let local = chrono::DateTime::from_timestamp_micros(due)
            .unwrap()
            .with_timezone(&chrono_tz::Europe::Paris);
        let hm = chrono::Timelike::hour(&local) * 60 + chrono::Timelike::minute(&local);
        assert!(
            (8 * 60 + 1..=12 * 60).contains(&hm) || (13 * 60 + 1..=17 * 60 + 30).contains(&hm),
            "{minutes} min -> {local}"
        );
    }
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Pause,
    Resume,
    Done,
    Retarget(i64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => Just(Event::Pause),
        3 => Just(Event::Resume),
        1 => Just(Event::Done),
        1 => (1i64..40).prop_map(|h| Event::Retarget(h * H)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever happens, elapsed time equals the business time of the intervals the clock ran,
    /// and time only grows.
    #[test]
    fn elapsed_time_is_never_lost_or_counted_twice(
        steps in proptest::collection::vec((event(), 0i64..(60 * 60 * 50)), 1..40),
        office_hours in any::<bool>(),
        resume_on_reopen in any::<bool>(),
    ) {
        let cal = if office_hours { office() } else { Schedule::always() };
        let start = paris("2026-11-20 10:17");
        let mut clock = Clock::start(Metric::Resolution, AgreementId(1), 16 * H, start, &cal).unwrap();
        // The model: the intervals the clock ran, and whether it runs now.
        let mut runs: Vec<(i64, i64)> = Vec::new();
        let mut running_since = Some(start);
        let mut stopped = false;
        let mut t = start;
        let mut last_elapsed = 0;
        for (ev, gap_seconds) in steps {
            t += gap_seconds * 1_000_000;
            match ev {
                Event::Pause => {
                    clock.follow(Phase::Paused, t, &cal, resume_on_reopen).unwrap();
                    // A stopped clock has no running interval to close.
                    if let Some(s) = running_since.take() { runs.push((s, t)); }
                }
                // A ticket running again after it was done is a reopening.
                Event::Resume => {
                    clock.follow(Phase::Running, t, &cal, resume_on_reopen).unwrap();
                    if stopped && resume_on_reopen { stopped = false; running_since = Some(t); }
                    else if !stopped && running_since.is_none() { running_since = Some(t); }
                }
                Event::Done => {
                    clock.follow(Phase::Done, t, &cal, resume_on_reopen).unwrap();
                    if let Some(s) = running_since.take() { runs.push((s, t)); }
                    stopped = true;
                }
                Event::Retarget(target) => {
                    clock.retarget(AgreementId(1), target, t, &cal, &cal).unwrap();
                }
            }
            let now = t + 3_600_000_000;
            let mut model: i64 = runs.iter().map(|(a, b)| cal.business_time(*a, *b).unwrap()).sum();
            if let Some(s) = running_since { model += cal.business_time(s, now).unwrap(); }
            let got = clock.elapsed_at(now, &cal).unwrap();
            prop_assert_eq!(got, model);
            let banked = clock.elapsed_at(t, &cal).unwrap();
            prop_assert!(banked >= last_elapsed, "time only grows");
            last_elapsed = banked;
            let view = clock.view(ClockScope::ServiceLevel, now, &cal).unwrap();
            if !stopped && model > clock.target {
                prop_assert_eq!(view.state, ClockState::Breached);
            }
            if let (Some(due), Some(_)) = (clock.due_at, running_since) {
                prop_assert_eq!(cal.business_time(t, due).unwrap() + clock.elapsed_at(t, &cal).unwrap(), clock.target.max(clock.elapsed_at(t, &cal).unwrap()));
            }
        }
    }
}
