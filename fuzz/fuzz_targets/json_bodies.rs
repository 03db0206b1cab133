//! Request bodies: any bytes given as the body of a create are refused or accepted without a
//! panic, by the same reader the API uses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_server::api::extract::parse_json;

fuzz_target!(|data: &[u8]| {
    let _ = parse_json::<steward_core::incident::NewIncident>(data);
    let _ = parse_json::<steward_core::agreement::NewAgreement>(data);
    let _ = parse_json::<steward_core::calendar::NewCalendar>(data);
    let _ = parse_json::<steward_core::change::NewChange>(data);
});
