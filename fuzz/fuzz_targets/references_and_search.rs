//! References (`INC-42`), link ends and search words: any text is read without a panic, and a
//! reference that reads is written back as the same reference.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_core::link::Endpoint;
use steward_core::record::RecordKind;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some((kind, id)) = RecordKind::parse_reference(text) {
        let written = format!("{}-{id}", kind.prefix());
        assert_eq!(RecordKind::parse_reference(&written), Some((kind, id)));
    }
    if let Ok(e) = Endpoint::parse("record", text) {
        assert_eq!(Endpoint::parse("record", &e.reference()).expect("reads back"), e);
    }
    let _ = steward_core::search::terms(text);
    let _ = steward_core::search::kinds(Some(text));
    let _ = steward_core::record::parse_references(&[text.to_string()]);
});
