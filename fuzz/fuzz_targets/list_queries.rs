//! List query strings and cursors: any query string is read as the incident list reads it, and
//! what reads becomes a list query or a 400 without a panic; any cursor is refused or decoded,
//! and a cursor the list writes reads back as itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_server::api::extract::parse_query;
use steward_server::api::incident::IncidentQuery;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(q) = parse_query::<IncidentQuery>(text) {
        let _ = q.into_list();
    }
    if let Ok((value, id)) = steward_store::decode_cursor(text) {
        let again = steward_store::encode_cursor(value, id);
        assert_eq!(steward_store::decode_cursor(&again).expect("a written cursor reads"), (value, id));
    }
});
