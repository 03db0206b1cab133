//! The written forms of the web's calendar and agreement forms and the API's durations: any
//! text is read without a panic, and what is read is written back to text that reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_core::calendar::{
    format_duration, format_holidays, format_segments, parse_duration, parse_holidays, parse_segments,
    parse_written_duration,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(segments) = parse_segments("day", text) {
        let again = parse_segments("day", &format_segments(&segments)).expect("written hours read back");
        assert_eq!(again, segments);
    }
    if let Ok(holidays) = parse_holidays("holidays", text) {
        let again = parse_holidays("holidays", &format_holidays(&holidays)).expect("written holidays read back");
        assert_eq!(again, holidays);
    }
    if let Ok(micros) = parse_duration("duration", text) {
        assert!(micros >= 0);
        assert_eq!(
            parse_duration("duration", &format_duration(micros)).expect("reads back"),
            micros
        );
    }
    if let Ok(micros) = parse_written_duration("duration", text) {
        assert!(micros >= 0);
    }
});
