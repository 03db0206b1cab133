//! Steward's domain: record types, their lifecycles, the priority matrix, access rules and the
//! history chain. Pure: no HTTP, no SQL, no clock or randomness — callers pass time and ids in.

pub mod access;
pub mod agreement;
pub mod approval;
pub mod assessment;
pub mod asset;
pub mod calendar;
pub mod change;
pub mod change_blackout;
pub mod change_report;
pub mod change_template;
pub mod clock;
pub mod compliance;
pub mod configuration_item;
pub mod configuration_item_type;
pub mod document;
pub mod error;
pub mod evidence;
pub mod history;
pub mod id;
pub mod incident;
pub mod indicator;
pub mod lifecycle;
pub mod link;
pub mod notification;
pub mod organisation;
pub mod patch;
pub mod priority;
pub mod problem;
pub mod readiness;
pub mod record;
pub mod relationship;
pub mod release;
pub mod report;
pub mod request;
pub mod service;
pub mod sms_scope;
pub mod team;
pub mod user;
pub mod validate;

pub use error::{Error, FieldError, Result};
