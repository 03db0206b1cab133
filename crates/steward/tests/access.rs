//! The access matrix: every route of the API, read from its own OpenAPI document, against every
//! kind of caller — administrator, manager, agent, auditor, a customer (requester), a customer of
//! another organisation, nobody, a revoked token, an expired token, and a browser session's
//! cookie without a token — on the demo organisation, on each backend. A route the table below
//! does not name fails the test, so a new route cannot ship without saying who may use it.
//!
//! What is asserted: callers without a valid token get 401 on every route but the one that
//! issues tokens; a caller the access table refuses gets 403 (a customer asking for another
//! organisation's record, 404, so its existence is not given away); a caller it allows gets an
//! answer that is neither 401 nor 403; nobody ever gets a 5xx. Writes are sent with bodies that
//! change nothing (an empty patch, a move to a state that does not exist, a removal of something
//! absent), so the order of the table does not matter. Writes ask the access table before they
//! read their body, so a refused caller gets 403 even for an empty body; the few routes whose
//! rule depends on what the body or query names (marked `body_first`: a link's ends, a decision
//! on a change, a calendar calculation) may refuse with 422 instead, and never with a 2xx.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};

use reqwest::StatusCode;
use serde_json::{Value, json};
use steward_core::record::RecordKind as K;
use steward_store::TokenInfo;
use steward_store::testing::TestDb;

mod common;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Read,
    Create,
    Update,
}

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// The access table's answer for this kind and operation.
    Rec(K, Op),
    /// Anyone signed in, whatever their role.
    SignedIn,
    /// The service provider's people: everyone but customers.
    Staff,
    /// The people who work records: administrators, managers and agents.
    Workers,
    /// Administrators only.
    Admin,
    /// Administrators and managers.
    Managers,
    /// No token needed.
    Public,
    /// The token's owner and administrators; anyone else is told it does not exist.
    TokenOwner,
    /// A comment or attachment on a record of this kind: whoever may change it, and a customer on
    /// the tickets of their own organisation.
    Comments(K),
    /// Answering a survey: only the customer asked; a customer of another organisation is told
    /// it does not exist.
    Recipient,
    /// Voting on an article: everyone signed in who may read it but auditors, who only look.
    Voters,
    /// Watching the demo customer's incident on behalf of the agent: the agent themselves (who
    /// may read it), or whoever may change it; never a customer or the auditor for someone else.
    WatchForAgent,
}

use Op::{Create as C, Read as R, Update as U};
use Rule::{
    Admin, Comments, Managers, Public, Rec, Recipient, SignedIn, Staff, TokenOwner, Voters, WatchForAgent, Workers,
};

/// Every route, who may use it, and whether it reads its body before asking who is calling.
#[rustfmt::skip]
const ROUTES: &[(&str, &str, Rule, bool)] = &[
    ("GET", "/api/v1/agreements", Rec(K::Agreement, R), false),
    ("POST", "/api/v1/agreements", Rec(K::Agreement, C), false),
    ("GET", "/api/v1/agreements/{reference}", Rec(K::Agreement, R), false),
    ("PATCH", "/api/v1/agreements/{reference}", Rec(K::Agreement, U), false),
    ("GET", "/api/v1/agreements/{reference}/history", Rec(K::Agreement, R), false),
    ("GET", "/api/v1/articles", Rec(K::Article, R), false),
    ("POST", "/api/v1/articles", Rec(K::Article, C), false),
    ("GET", "/api/v1/articles/{reference}", Rec(K::Article, R), false),
    ("PATCH", "/api/v1/articles/{reference}", Rec(K::Article, U), false),
    ("GET", "/api/v1/articles/{reference}/history", Rec(K::Article, R), false),
    ("GET", "/api/v1/articles/{reference}/comments", Rec(K::Article, R), false),
    ("POST", "/api/v1/articles/{reference}/comments", Comments(K::Article), false),
    ("GET", "/api/v1/articles/{reference}/attachments", Rec(K::Article, R), false),
    ("POST", "/api/v1/articles/{reference}/attachments", Comments(K::Article), false),
    ("POST", "/api/v1/articles/{reference}/transition", Rec(K::Article, U), false),
    ("POST", "/api/v1/articles/{reference}/review", Rec(K::Article, U), false),
    ("GET", "/api/v1/articles/{reference}/votes", Staff, false),
    ("POST", "/api/v1/articles/{reference}/votes", Voters, true),
    ("GET", "/api/v1/assets", Rec(K::Asset, R), false),
    ("POST", "/api/v1/assets", Rec(K::Asset, C), false),
    ("GET", "/api/v1/assets/{reference}", Rec(K::Asset, R), false),
    ("PATCH", "/api/v1/assets/{reference}", Rec(K::Asset, U), false),
    ("GET", "/api/v1/assets/{reference}/history", Rec(K::Asset, R), false),
    ("POST", "/api/v1/assets/{reference}/transition", Rec(K::Asset, U), false),
    ("GET", "/api/v1/calendars", Rec(K::Calendar, R), false),
    ("POST", "/api/v1/calendars", Rec(K::Calendar, C), false),
    ("GET", "/api/v1/calendars/{reference}", Rec(K::Calendar, R), false),
    ("PATCH", "/api/v1/calendars/{reference}", Rec(K::Calendar, U), false),
    ("POST", "/api/v1/calendars/{reference}/add", Rec(K::Calendar, R), true),
    ("GET", "/api/v1/calendars/{reference}/business-time", Rec(K::Calendar, R), true),
    ("GET", "/api/v1/calendars/{reference}/history", Rec(K::Calendar, R), false),
    ("GET", "/api/v1/catalogue-items", Rec(K::CatalogueItem, R), false),
    ("POST", "/api/v1/catalogue-items", Rec(K::CatalogueItem, C), false),
    ("GET", "/api/v1/catalogue-items/{reference}", Rec(K::CatalogueItem, R), false),
    ("PATCH", "/api/v1/catalogue-items/{reference}", Rec(K::CatalogueItem, U), false),
    ("GET", "/api/v1/catalogue-items/{reference}/history", Rec(K::CatalogueItem, R), false),
    ("GET", "/api/v1/change-blackouts", Rec(K::ChangeBlackout, R), false),
    ("POST", "/api/v1/change-blackouts", Rec(K::ChangeBlackout, C), false),
    ("GET", "/api/v1/change-blackouts/{reference}", Rec(K::ChangeBlackout, R), false),
    ("PATCH", "/api/v1/change-blackouts/{reference}", Rec(K::ChangeBlackout, U), false),
    ("GET", "/api/v1/change-blackouts/{reference}/history", Rec(K::ChangeBlackout, R), false),
    ("GET", "/api/v1/change-templates", Rec(K::ChangeTemplate, R), false),
    ("POST", "/api/v1/change-templates", Rec(K::ChangeTemplate, C), false),
    ("GET", "/api/v1/change-templates/{reference}", Rec(K::ChangeTemplate, R), false),
    ("PATCH", "/api/v1/change-templates/{reference}", Rec(K::ChangeTemplate, U), false),
    ("GET", "/api/v1/change-templates/{reference}/history", Rec(K::ChangeTemplate, R), false),
    ("GET", "/api/v1/changes", Rec(K::Change, R), false),
    ("POST", "/api/v1/changes", Rec(K::Change, C), false),
    ("GET", "/api/v1/changes/schedule.ics", Rec(K::Change, R), false),
    ("GET", "/api/v1/changes/{reference}", Rec(K::Change, R), false),
    ("PATCH", "/api/v1/changes/{reference}", Rec(K::Change, U), false),
    ("GET", "/api/v1/changes/{reference}/approvals", Rec(K::Change, R), false),
    // Whoever reads a change may send a decision; only its approvers' count (the store refuses others).
    ("POST", "/api/v1/changes/{reference}/approvals", Rec(K::Change, R), true),
    ("GET", "/api/v1/changes/{reference}/history", Rec(K::Change, R), false),
    ("POST", "/api/v1/changes/{reference}/transition", Rec(K::Change, U), false),
    ("GET", "/api/v1/compliance/actions", Rec(K::Action, R), false),
    ("POST", "/api/v1/compliance/actions", Rec(K::Action, C), false),
    ("GET", "/api/v1/compliance/actions/{reference}", Rec(K::Action, R), false),
    ("PATCH", "/api/v1/compliance/actions/{reference}", Rec(K::Action, U), false),
    ("GET", "/api/v1/compliance/actions/{reference}/history", Rec(K::Action, R), false),
    ("POST", "/api/v1/compliance/actions/{reference}/transition", Rec(K::Action, U), false),
    ("GET", "/api/v1/compliance/assessments", Rec(K::Assessment, R), false),
    ("POST", "/api/v1/compliance/assessments", Rec(K::Assessment, C), false),
    ("GET", "/api/v1/compliance/assessments/{reference}", Rec(K::Assessment, R), false),
    ("PATCH", "/api/v1/compliance/assessments/{reference}", Rec(K::Assessment, U), false),
    ("GET", "/api/v1/compliance/assessments/{reference}/gaps", Rec(K::Assessment, R), false),
    ("GET", "/api/v1/compliance/assessments/{reference}/history", Rec(K::Assessment, R), false),
    ("GET", "/api/v1/compliance/assessments/{reference}/scores", Rec(K::Assessment, R), false),
    ("PUT", "/api/v1/compliance/assessments/{reference}/scores/{clause}", Rec(K::Assessment, U), false),
    ("POST", "/api/v1/compliance/assessments/{reference}/transition", Rec(K::Assessment, U), false),
    ("GET", "/api/v1/compliance/audits", Rec(K::Audit, R), false),
    ("POST", "/api/v1/compliance/audits", Rec(K::Audit, C), false),
    ("GET", "/api/v1/compliance/audits/{reference}", Rec(K::Audit, R), false),
    ("PATCH", "/api/v1/compliance/audits/{reference}", Rec(K::Audit, U), false),
    ("GET", "/api/v1/compliance/audits/{reference}/history", Rec(K::Audit, R), false),
    ("POST", "/api/v1/compliance/audits/{reference}/transition", Rec(K::Audit, U), false),
    ("GET", "/api/v1/compliance/certificates", Rec(K::Certificate, R), false),
    ("POST", "/api/v1/compliance/certificates", Rec(K::Certificate, C), false),
    ("GET", "/api/v1/compliance/certificates/{reference}", Rec(K::Certificate, R), false),
    ("PATCH", "/api/v1/compliance/certificates/{reference}", Rec(K::Certificate, U), false),
    ("GET", "/api/v1/compliance/certificates/{reference}/history", Rec(K::Certificate, R), false),
    ("GET", "/api/v1/compliance/certificates/{reference}/schedule", Rec(K::Certificate, R), false),
    ("POST", "/api/v1/compliance/certificates/{reference}/transition", Rec(K::Certificate, U), false),
    ("GET", "/api/v1/compliance/documents", Rec(K::Document, R), false),
    ("POST", "/api/v1/compliance/documents", Rec(K::Document, C), false),
    ("GET", "/api/v1/compliance/documents/{reference}", Rec(K::Document, R), false),
    ("PATCH", "/api/v1/compliance/documents/{reference}", Rec(K::Document, U), false),
    ("GET", "/api/v1/compliance/documents/{reference}/history", Rec(K::Document, R), false),
    ("POST", "/api/v1/compliance/documents/{reference}/transition", Rec(K::Document, U), false),
    ("GET", "/api/v1/compliance/evidence", Rec(K::Evidence, R), false),
    ("POST", "/api/v1/compliance/evidence", Rec(K::Evidence, C), false),
    ("GET", "/api/v1/compliance/evidence/{reference}", Rec(K::Evidence, R), false),
    ("PATCH", "/api/v1/compliance/evidence/{reference}", Rec(K::Evidence, U), false),
    ("GET", "/api/v1/compliance/evidence/{reference}/history", Rec(K::Evidence, R), false),
    ("GET", "/api/v1/compliance/findings", Rec(K::Finding, R), false),
    ("POST", "/api/v1/compliance/findings", Rec(K::Finding, C), false),
    ("GET", "/api/v1/compliance/findings/{reference}", Rec(K::Finding, R), false),
    ("PATCH", "/api/v1/compliance/findings/{reference}", Rec(K::Finding, U), false),
    ("GET", "/api/v1/compliance/findings/{reference}/history", Rec(K::Finding, R), false),
    ("GET", "/api/v1/compliance/improvements", Rec(K::Improvement, R), false),
    ("POST", "/api/v1/compliance/improvements", Rec(K::Improvement, C), false),
    ("GET", "/api/v1/compliance/improvements/{reference}", Rec(K::Improvement, R), false),
    ("PATCH", "/api/v1/compliance/improvements/{reference}", Rec(K::Improvement, U), false),
    ("GET", "/api/v1/compliance/improvements/{reference}/history", Rec(K::Improvement, R), false),
    ("POST", "/api/v1/compliance/improvements/{reference}/transition", Rec(K::Improvement, U), false),
    ("GET", "/api/v1/compliance/indicators", Staff, false),
    ("GET", "/api/v1/compliance/indicators/{id}/records", Staff, false),
    ("GET", "/api/v1/compliance/management-reviews", Rec(K::ManagementReview, R), false),
    ("POST", "/api/v1/compliance/management-reviews", Rec(K::ManagementReview, C), false),
    ("GET", "/api/v1/compliance/management-reviews/{reference}", Rec(K::ManagementReview, R), false),
    ("PATCH", "/api/v1/compliance/management-reviews/{reference}", Rec(K::ManagementReview, U), false),
    ("GET", "/api/v1/compliance/management-reviews/{reference}/history", Rec(K::ManagementReview, R), false),
    ("GET", "/api/v1/compliance/management-reviews/{reference}/inputs", Rec(K::ManagementReview, R), false),
    ("POST", "/api/v1/compliance/management-reviews/{reference}/transition", Rec(K::ManagementReview, U), false),
    ("GET", "/api/v1/compliance/maturity-scale", SignedIn, false),
    ("GET", "/api/v1/compliance/nonconformities", Rec(K::Nonconformity, R), false),
    ("POST", "/api/v1/compliance/nonconformities", Rec(K::Nonconformity, C), false),
    ("GET", "/api/v1/compliance/nonconformities/{reference}", Rec(K::Nonconformity, R), false),
    ("PATCH", "/api/v1/compliance/nonconformities/{reference}", Rec(K::Nonconformity, U), false),
    ("GET", "/api/v1/compliance/nonconformities/{reference}/history", Rec(K::Nonconformity, R), false),
    ("POST", "/api/v1/compliance/nonconformities/{reference}/transition", Rec(K::Nonconformity, U), false),
    ("GET", "/api/v1/compliance/objectives", Rec(K::Objective, R), false),
    ("POST", "/api/v1/compliance/objectives", Rec(K::Objective, C), false),
    ("GET", "/api/v1/compliance/objectives/{reference}", Rec(K::Objective, R), false),
    ("PATCH", "/api/v1/compliance/objectives/{reference}", Rec(K::Objective, U), false),
    ("GET", "/api/v1/compliance/objectives/{reference}/history", Rec(K::Objective, R), false),
    ("POST", "/api/v1/compliance/objectives/{reference}/transition", Rec(K::Objective, U), false),
    ("GET", "/api/v1/compliance/programmes", Rec(K::Programme, R), false),
    ("POST", "/api/v1/compliance/programmes", Rec(K::Programme, C), false),
    ("GET", "/api/v1/compliance/programmes/{reference}", Rec(K::Programme, R), false),
    ("PATCH", "/api/v1/compliance/programmes/{reference}", Rec(K::Programme, U), false),
    ("GET", "/api/v1/compliance/programmes/{reference}/history", Rec(K::Programme, R), false),
    ("GET", "/api/v1/compliance/programmes/{reference}/plan", Rec(K::Programme, R), false),
    ("POST", "/api/v1/compliance/programmes/{reference}/transition", Rec(K::Programme, U), false),
    ("GET", "/api/v1/compliance/readiness", Staff, false),
    ("GET", "/api/v1/compliance/register", Staff, false),
    ("GET", "/api/v1/compliance/requirements", SignedIn, false),
    ("GET", "/api/v1/compliance/requirements/mapping-2011", SignedIn, false),
    ("GET", "/api/v1/compliance/risks", Rec(K::Risk, R), false),
    ("POST", "/api/v1/compliance/risks", Rec(K::Risk, C), false),
    ("GET", "/api/v1/compliance/risks/{reference}", Rec(K::Risk, R), false),
    ("PATCH", "/api/v1/compliance/risks/{reference}", Rec(K::Risk, U), false),
    ("GET", "/api/v1/compliance/risks/{reference}/history", Rec(K::Risk, R), false),
    ("POST", "/api/v1/compliance/risks/{reference}/transition", Rec(K::Risk, U), false),
    ("GET", "/api/v1/compliance/scopes", Rec(K::SmsScope, R), false),
    ("POST", "/api/v1/compliance/scopes", Rec(K::SmsScope, C), false),
    ("GET", "/api/v1/compliance/scopes/{reference}", Rec(K::SmsScope, R), false),
    ("PATCH", "/api/v1/compliance/scopes/{reference}", Rec(K::SmsScope, U), false),
    ("GET", "/api/v1/compliance/scopes/{reference}/history", Rec(K::SmsScope, R), false),
    ("GET", "/api/v1/configuration-item-types", Staff, false),
    ("POST", "/api/v1/configuration-item-types", Managers, false),
    ("GET", "/api/v1/configuration-item-types/{name}", Staff, false),
    ("PUT", "/api/v1/configuration-item-types/{name}", Managers, false),
    ("GET", "/api/v1/configuration-items", Rec(K::ConfigurationItem, R), false),
    ("POST", "/api/v1/configuration-items", Rec(K::ConfigurationItem, C), false),
    ("GET", "/api/v1/configuration-items/overdue-verification", Rec(K::ConfigurationItem, R), false),
    ("GET", "/api/v1/configuration-items/{reference}", Rec(K::ConfigurationItem, R), false),
    ("PATCH", "/api/v1/configuration-items/{reference}", Rec(K::ConfigurationItem, U), false),
    ("GET", "/api/v1/configuration-items/{reference}/history", Rec(K::ConfigurationItem, R), false),
    ("GET", "/api/v1/configuration-items/{reference}/impact", Rec(K::ConfigurationItem, R), false),
    ("GET", "/api/v1/configuration-items/{reference}/relationships", Rec(K::ConfigurationItem, R), false),
    ("POST", "/api/v1/configuration-items/{reference}/relationships", Rec(K::ConfigurationItem, U), false),
    ("DELETE", "/api/v1/configuration-items/{reference}/relationships/{kind}/{to}", Rec(K::ConfigurationItem, U), false),
    ("POST", "/api/v1/configuration-items/{reference}/transition", Rec(K::ConfigurationItem, U), false),
    ("POST", "/api/v1/configuration-items/{reference}/verify", Rec(K::ConfigurationItem, U), false),
    ("GET", "/api/v1/incidents", Rec(K::Incident, R), false),
    ("POST", "/api/v1/incidents", Rec(K::Incident, C), false),
    ("GET", "/api/v1/incidents/{reference}", Rec(K::Incident, R), false),
    ("PATCH", "/api/v1/incidents/{reference}", Rec(K::Incident, U), false),
    ("GET", "/api/v1/incidents/{reference}/history", Rec(K::Incident, R), false),
    ("POST", "/api/v1/incidents/{reference}/transition", Rec(K::Incident, U), false),
    ("GET", "/api/v1/licences", Rec(K::Licence, R), false),
    ("POST", "/api/v1/licences", Rec(K::Licence, C), false),
    ("GET", "/api/v1/licences/over-use", Rec(K::Licence, R), false),
    ("GET", "/api/v1/licences/{reference}", Rec(K::Licence, R), false),
    ("PATCH", "/api/v1/licences/{reference}", Rec(K::Licence, U), false),
    ("GET", "/api/v1/licences/{reference}/history", Rec(K::Licence, R), false),
    // The links of a record: for whoever may read it (sent with the demo customer's incident);
    // each link shows only when its other end is readable too.
    ("GET", "/api/v1/links", Rec(K::Incident, R), false),
    ("POST", "/api/v1/links", Workers, true),
    ("DELETE", "/api/v1/links/{from}/{to}", Workers, false),
    ("GET", "/api/v1/me", SignedIn, false),
    ("GET", "/api/v1/notifications", SignedIn, false),
    ("GET", "/api/v1/notification-preferences", SignedIn, false),
    ("PUT", "/api/v1/notification-preferences/{event}", SignedIn, false),
    ("GET", "/api/v1/notification-templates", Admin, false),
    ("PUT", "/api/v1/notification-templates/{name}", Admin, false),
    ("DELETE", "/api/v1/notification-templates/{name}", Admin, false),
    ("GET", "/api/v1/mail/outbox", Admin, false),
    ("POST", "/api/v1/mail/outbox/{id}/retry", Admin, false),
    ("GET", "/api/v1/mail/inbound", Admin, false),
    ("GET", "/api/v1/mail/inbound/{id}", Admin, false),
    ("GET", "/api/v1/mail/inbound/{id}/message", Admin, false),
    ("POST", "/api/v1/mail/inbound/{id}/discard", Admin, false),
    ("POST", "/api/v1/mail/inbound/{id}/reconsider", Admin, false),
    ("GET", "/api/v1/mail/rules", Admin, false),
    ("POST", "/api/v1/mail/rules", Admin, false),
    ("DELETE", "/api/v1/mail/rules/{id}", Admin, false),
    ("GET", "/api/v1/watchers", Rec(K::Incident, R), false),
    ("PUT", "/api/v1/watchers/{record}/{user}", WatchForAgent, false),
    ("DELETE", "/api/v1/watchers/{record}/{user}", WatchForAgent, false),
    ("POST", "/api/v1/notifications/{id}/read", SignedIn, false),
    ("GET", "/api/v1/outages", Rec(K::Outage, R), false),
    ("POST", "/api/v1/outages", Rec(K::Outage, C), false),
    ("GET", "/api/v1/outages/{reference}", Rec(K::Outage, R), false),
    ("PATCH", "/api/v1/outages/{reference}", Rec(K::Outage, U), false),
    ("GET", "/api/v1/outages/{reference}/history", Rec(K::Outage, R), false),
    ("POST", "/api/v1/outages/{reference}/transition", Rec(K::Outage, U), false),
    ("GET", "/api/v1/outages/{reference}/comments", Rec(K::Outage, R), false),
    ("POST", "/api/v1/outages/{reference}/comments", Comments(K::Outage), false),
    ("GET", "/api/v1/outages/{reference}/attachments", Rec(K::Outage, R), false),
    ("POST", "/api/v1/outages/{reference}/attachments", Comments(K::Outage), false),
    ("GET", "/api/v1/suppliers", Rec(K::Supplier, R), false),
    ("POST", "/api/v1/suppliers", Rec(K::Supplier, C), false),
    ("GET", "/api/v1/suppliers/{reference}", Rec(K::Supplier, R), false),
    ("PATCH", "/api/v1/suppliers/{reference}", Rec(K::Supplier, U), false),
    ("GET", "/api/v1/suppliers/{reference}/history", Rec(K::Supplier, R), false),
    ("GET", "/api/v1/suppliers/{reference}/comments", Rec(K::Supplier, R), false),
    ("POST", "/api/v1/suppliers/{reference}/comments", Comments(K::Supplier), false),
    ("GET", "/api/v1/suppliers/{reference}/attachments", Rec(K::Supplier, R), false),
    ("POST", "/api/v1/suppliers/{reference}/attachments", Comments(K::Supplier), false),
    ("GET", "/api/v1/contracts", Rec(K::Contract, R), false),
    ("POST", "/api/v1/contracts", Rec(K::Contract, C), false),
    ("GET", "/api/v1/contracts/{reference}", Rec(K::Contract, R), false),
    ("PATCH", "/api/v1/contracts/{reference}", Rec(K::Contract, U), false),
    ("GET", "/api/v1/contracts/{reference}/history", Rec(K::Contract, R), false),
    ("POST", "/api/v1/contracts/{reference}/transition", Rec(K::Contract, U), false),
    ("POST", "/api/v1/contracts/{reference}/review", Rec(K::Contract, U), false),
    ("GET", "/api/v1/contracts/{reference}/comments", Rec(K::Contract, R), false),
    ("POST", "/api/v1/contracts/{reference}/comments", Comments(K::Contract), false),
    ("GET", "/api/v1/contracts/{reference}/attachments", Rec(K::Contract, R), false),
    ("POST", "/api/v1/contracts/{reference}/attachments", Comments(K::Contract), false),
    ("GET", "/api/v1/disputes", Rec(K::Dispute, R), false),
    ("POST", "/api/v1/disputes", Rec(K::Dispute, C), false),
    ("GET", "/api/v1/disputes/{reference}", Rec(K::Dispute, R), false),
    ("PATCH", "/api/v1/disputes/{reference}", Rec(K::Dispute, U), false),
    ("GET", "/api/v1/disputes/{reference}/history", Rec(K::Dispute, R), false),
    ("POST", "/api/v1/disputes/{reference}/transition", Rec(K::Dispute, U), false),
    ("GET", "/api/v1/disputes/{reference}/comments", Rec(K::Dispute, R), false),
    ("POST", "/api/v1/disputes/{reference}/comments", Comments(K::Dispute), false),
    ("GET", "/api/v1/disputes/{reference}/attachments", Rec(K::Dispute, R), false),
    ("POST", "/api/v1/disputes/{reference}/attachments", Comments(K::Dispute), false),
    ("GET", "/api/v1/service-reviews", Rec(K::ServiceReview, R), false),
    ("POST", "/api/v1/service-reviews", Rec(K::ServiceReview, C), false),
    ("GET", "/api/v1/service-reviews/{reference}", Rec(K::ServiceReview, R), false),
    ("PATCH", "/api/v1/service-reviews/{reference}", Rec(K::ServiceReview, U), false),
    ("GET", "/api/v1/service-reviews/{reference}/history", Rec(K::ServiceReview, R), false),
    ("POST", "/api/v1/service-reviews/{reference}/transition", Rec(K::ServiceReview, U), false),
    ("GET", "/api/v1/service-reviews/{reference}/comments", Rec(K::ServiceReview, R), false),
    ("POST", "/api/v1/service-reviews/{reference}/comments", Comments(K::ServiceReview), false),
    ("GET", "/api/v1/service-reviews/{reference}/attachments", Rec(K::ServiceReview, R), false),
    ("POST", "/api/v1/service-reviews/{reference}/attachments", Comments(K::ServiceReview), false),
    ("GET", "/api/v1/complaints", Rec(K::Complaint, R), false),
    ("POST", "/api/v1/complaints", Rec(K::Complaint, C), false),
    ("GET", "/api/v1/complaints/{reference}", Rec(K::Complaint, R), false),
    ("PATCH", "/api/v1/complaints/{reference}", Rec(K::Complaint, U), false),
    ("GET", "/api/v1/complaints/{reference}/history", Rec(K::Complaint, R), false),
    ("POST", "/api/v1/complaints/{reference}/transition", Rec(K::Complaint, U), false),
    ("GET", "/api/v1/complaints/{reference}/comments", Rec(K::Complaint, R), false),
    ("POST", "/api/v1/complaints/{reference}/comments", Comments(K::Complaint), false),
    ("GET", "/api/v1/complaints/{reference}/attachments", Rec(K::Complaint, R), false),
    ("POST", "/api/v1/complaints/{reference}/attachments", Comments(K::Complaint), false),
    ("GET", "/api/v1/organisations", Rec(K::Organisation, R), false),
    ("POST", "/api/v1/organisations", Rec(K::Organisation, C), false),
    ("GET", "/api/v1/organisations/{reference}", Rec(K::Organisation, R), false),
    ("PATCH", "/api/v1/organisations/{reference}", Rec(K::Organisation, U), false),
    ("GET", "/api/v1/organisations/{reference}/history", Rec(K::Organisation, R), false),
    ("GET", "/api/v1/problems", Rec(K::Problem, R), false),
    ("POST", "/api/v1/problems", Rec(K::Problem, C), false),
    ("GET", "/api/v1/problems/{reference}", Rec(K::Problem, R), false),
    ("PATCH", "/api/v1/problems/{reference}", Rec(K::Problem, U), false),
    ("GET", "/api/v1/problems/{reference}/history", Rec(K::Problem, R), false),
    ("POST", "/api/v1/problems/{reference}/transition", Rec(K::Problem, U), false),
    ("GET", "/api/v1/releases", Rec(K::Release, R), false),
    ("POST", "/api/v1/releases", Rec(K::Release, C), false),
    ("GET", "/api/v1/releases/{reference}", Rec(K::Release, R), false),
    ("PATCH", "/api/v1/releases/{reference}", Rec(K::Release, U), false),
    ("POST", "/api/v1/releases/{reference}/acceptance-criteria/{index}/verify", Rec(K::Release, U), false),
    ("GET", "/api/v1/releases/{reference}/history", Rec(K::Release, R), false),
    ("POST", "/api/v1/releases/{reference}/transition", Rec(K::Release, U), false),
    ("GET", "/api/v1/budgets", Rec(K::Budget, R), false),
    ("POST", "/api/v1/budgets", Rec(K::Budget, C), false),
    ("GET", "/api/v1/budgets/{reference}", Rec(K::Budget, R), false),
    ("PATCH", "/api/v1/budgets/{reference}", Rec(K::Budget, U), false),
    ("GET", "/api/v1/budgets/{reference}/history", Rec(K::Budget, R), false),
    ("POST", "/api/v1/budgets/{reference}/transition", Rec(K::Budget, U), false),
    ("GET", "/api/v1/budgets/{reference}/comments", Rec(K::Budget, R), false),
    ("POST", "/api/v1/budgets/{reference}/comments", Comments(K::Budget), false),
    ("GET", "/api/v1/budgets/{reference}/attachments", Rec(K::Budget, R), false),
    ("POST", "/api/v1/budgets/{reference}/attachments", Comments(K::Budget), false),
    ("GET", "/api/v1/costs", Rec(K::Cost, R), false),
    ("POST", "/api/v1/costs", Rec(K::Cost, C), false),
    ("POST", "/api/v1/costs/import", Rec(K::Cost, C), false),
    ("GET", "/api/v1/costs/{reference}", Rec(K::Cost, R), false),
    ("PATCH", "/api/v1/costs/{reference}", Rec(K::Cost, U), false),
    ("GET", "/api/v1/costs/{reference}/history", Rec(K::Cost, R), false),
    ("GET", "/api/v1/costs/{reference}/comments", Rec(K::Cost, R), false),
    ("POST", "/api/v1/costs/{reference}/comments", Comments(K::Cost), false),
    ("GET", "/api/v1/costs/{reference}/attachments", Rec(K::Cost, R), false),
    ("POST", "/api/v1/costs/{reference}/attachments", Comments(K::Cost), false),
    ("GET", "/api/v1/capacity-requirements", Rec(K::CapacityRequirement, R), false),
    ("POST", "/api/v1/capacity-requirements", Rec(K::CapacityRequirement, C), false),
    ("GET", "/api/v1/capacity-requirements/{reference}", Rec(K::CapacityRequirement, R), false),
    ("PATCH", "/api/v1/capacity-requirements/{reference}", Rec(K::CapacityRequirement, U), false),
    ("GET", "/api/v1/capacity-requirements/{reference}/history", Rec(K::CapacityRequirement, R), false),
    ("GET", "/api/v1/capacity-requirements/{reference}/readings", Rec(K::CapacityRequirement, R), false),
    ("POST", "/api/v1/capacity-requirements/{reference}/readings", Rec(K::CapacityRequirement, U), false),
    ("POST", "/api/v1/capacity-readings/import", Rec(K::CapacityRequirement, U), false),
    ("GET", "/api/v1/capacity-requirements/{reference}/comments", Rec(K::CapacityRequirement, R), false),
    ("POST", "/api/v1/capacity-requirements/{reference}/comments", Comments(K::CapacityRequirement), false),
    ("GET", "/api/v1/capacity-requirements/{reference}/attachments", Rec(K::CapacityRequirement, R), false),
    ("POST", "/api/v1/capacity-requirements/{reference}/attachments", Comments(K::CapacityRequirement), false),
    ("GET", "/api/v1/demand-forecasts", Rec(K::DemandForecast, R), false),
    ("POST", "/api/v1/demand-forecasts", Rec(K::DemandForecast, C), false),
    ("GET", "/api/v1/demand-forecasts/{reference}", Rec(K::DemandForecast, R), false),
    ("PATCH", "/api/v1/demand-forecasts/{reference}", Rec(K::DemandForecast, U), false),
    ("GET", "/api/v1/demand-forecasts/{reference}/history", Rec(K::DemandForecast, R), false),
    ("GET", "/api/v1/demand-forecasts/{reference}/comments", Rec(K::DemandForecast, R), false),
    ("POST", "/api/v1/demand-forecasts/{reference}/comments", Comments(K::DemandForecast), false),
    ("GET", "/api/v1/demand-forecasts/{reference}/attachments", Rec(K::DemandForecast, R), false),
    ("POST", "/api/v1/demand-forecasts/{reference}/attachments", Comments(K::DemandForecast), false),
    ("GET", "/api/v1/continuity-plans", Rec(K::ContinuityPlan, R), false),
    ("POST", "/api/v1/continuity-plans", Rec(K::ContinuityPlan, C), false),
    ("GET", "/api/v1/continuity-plans/{reference}", Rec(K::ContinuityPlan, R), false),
    ("PATCH", "/api/v1/continuity-plans/{reference}", Rec(K::ContinuityPlan, U), false),
    ("GET", "/api/v1/continuity-plans/{reference}/history", Rec(K::ContinuityPlan, R), false),
    ("GET", "/api/v1/continuity-plans/{reference}/comments", Rec(K::ContinuityPlan, R), false),
    ("POST", "/api/v1/continuity-plans/{reference}/comments", Comments(K::ContinuityPlan), false),
    ("GET", "/api/v1/continuity-plans/{reference}/attachments", Rec(K::ContinuityPlan, R), false),
    ("POST", "/api/v1/continuity-plans/{reference}/attachments", Comments(K::ContinuityPlan), false),
    ("GET", "/api/v1/continuity-tests", Rec(K::ContinuityTest, R), false),
    ("POST", "/api/v1/continuity-tests", Rec(K::ContinuityTest, C), false),
    ("GET", "/api/v1/continuity-tests/{reference}", Rec(K::ContinuityTest, R), false),
    ("PATCH", "/api/v1/continuity-tests/{reference}", Rec(K::ContinuityTest, U), false),
    ("GET", "/api/v1/continuity-tests/{reference}/history", Rec(K::ContinuityTest, R), false),
    ("GET", "/api/v1/continuity-tests/{reference}/comments", Rec(K::ContinuityTest, R), false),
    ("POST", "/api/v1/continuity-tests/{reference}/comments", Comments(K::ContinuityTest), false),
    ("GET", "/api/v1/continuity-tests/{reference}/attachments", Rec(K::ContinuityTest, R), false),
    ("POST", "/api/v1/continuity-tests/{reference}/attachments", Comments(K::ContinuityTest), false),
    ("POST", "/api/v1/continuity-plans/{reference}/transition", Rec(K::ContinuityPlan, U), false),
    ("POST", "/api/v1/continuity-plans/{reference}/review", Rec(K::ContinuityPlan, U), false),
    ("POST", "/api/v1/continuity-tests/{reference}/complete", Rec(K::ContinuityTest, U), false),
    ("POST", "/api/v1/continuity-tests/{reference}/cancel", Rec(K::ContinuityTest, U), false),
    ("POST", "/api/v1/incidents/{reference}/time", Rec(K::Cost, C), false),
    ("POST", "/api/v1/requests/{reference}/time", Rec(K::Cost, C), false),
    ("GET", "/api/v1/reports/budget", Staff, false),
    ("GET", "/api/v1/reports/costs", Staff, false),
    ("GET", "/api/v1/reports/capacity", Staff, false),
    ("GET", "/api/v1/reports/demand", Staff, false),
    ("GET", "/api/v1/reports/continuity", Staff, false),
    ("GET", "/api/v1/security-controls", Rec(K::SecurityControl, R), false),
    ("POST", "/api/v1/security-controls", Rec(K::SecurityControl, C), false),
    ("GET", "/api/v1/security-controls/{reference}", Rec(K::SecurityControl, R), false),
    ("PATCH", "/api/v1/security-controls/{reference}", Rec(K::SecurityControl, U), false),
    ("GET", "/api/v1/security-controls/{reference}/history", Rec(K::SecurityControl, R), false),
    ("GET", "/api/v1/security-controls/{reference}/comments", Rec(K::SecurityControl, R), false),
    ("POST", "/api/v1/security-controls/{reference}/comments", Comments(K::SecurityControl), false),
    ("GET", "/api/v1/security-controls/{reference}/attachments", Rec(K::SecurityControl, R), false),
    ("POST", "/api/v1/security-controls/{reference}/attachments", Comments(K::SecurityControl), false),
    ("POST", "/api/v1/security-controls/{reference}/transition", Rec(K::SecurityControl, U), false),
    ("POST", "/api/v1/security-controls/{reference}/review", Rec(K::SecurityControl, U), false),
    ("GET", "/api/v1/reports/security", Staff, false),
    ("GET", "/api/v1/settings/cost-rates", SignedIn, false),
    ("PUT", "/api/v1/settings/cost-rates", Admin, false),
    ("GET", "/api/v1/reports/availability", Staff, false),
    ("GET", "/api/v1/reports/suppliers", Staff, false),
    ("GET", "/api/v1/reports/relationships", Staff, false),
    ("GET", "/api/v1/reports/satisfaction", Staff, false),
    ("GET", "/api/v1/surveys", Rec(K::Survey, R), false),
    ("GET", "/api/v1/surveys/{reference}", Rec(K::Survey, R), false),
    ("GET", "/api/v1/surveys/{reference}/history", Rec(K::Survey, R), false),
    ("POST", "/api/v1/surveys/rounds", Rec(K::Survey, C), false),
    ("POST", "/api/v1/surveys/{reference}/answer", Recipient, false),
    ("GET", "/api/v1/reports/changes", Staff, false),
    ("GET", "/api/v1/reports/sla", Staff, false),
    ("GET", "/api/v1/requests", Rec(K::Request, R), false),
    ("POST", "/api/v1/requests", Rec(K::Request, C), false),
    ("GET", "/api/v1/requests/{reference}", Rec(K::Request, R), false),
    ("PATCH", "/api/v1/requests/{reference}", Rec(K::Request, U), false),
    ("GET", "/api/v1/requests/{reference}/history", Rec(K::Request, R), false),
    ("POST", "/api/v1/requests/{reference}/transition", Rec(K::Request, U), false),
    ("GET", "/api/v1/search", SignedIn, false),
    ("GET", "/api/v1/services", Rec(K::Service, R), false),
    ("POST", "/api/v1/services", Rec(K::Service, C), false),
    ("GET", "/api/v1/services/{reference}", Rec(K::Service, R), false),
    ("PATCH", "/api/v1/services/{reference}", Rec(K::Service, U), false),
    ("GET", "/api/v1/services/{reference}/history", Rec(K::Service, R), false),
    ("POST", "/api/v1/services/{reference}/transition", Rec(K::Service, U), false),
    ("GET", "/api/v1/settings/change-policy", SignedIn, false),
    ("PUT", "/api/v1/settings/change-policy", Admin, false),
    ("GET", "/api/v1/settings/complaint-policy", SignedIn, false),
    ("PUT", "/api/v1/settings/complaint-policy", Admin, false),
    ("GET", "/api/v1/settings/priority-matrix", SignedIn, false),
    ("PUT", "/api/v1/settings/priority-matrix", Admin, false),
    ("GET", "/api/v1/settings/security-priority-matrix", SignedIn, false),
    ("PUT", "/api/v1/settings/security-priority-matrix", Admin, false),
    ("GET", "/api/v1/teams", Rec(K::Team, R), false),
    ("POST", "/api/v1/teams", Rec(K::Team, C), false),
    ("GET", "/api/v1/teams/{reference}", Rec(K::Team, R), false),
    ("PATCH", "/api/v1/teams/{reference}", Rec(K::Team, U), false),
    ("GET", "/api/v1/teams/{reference}/history", Rec(K::Team, R), false),
    ("GET", "/api/v1/teams/{reference}/members", Rec(K::Team, R), false),
    ("PUT", "/api/v1/teams/{reference}/members/{user}", Rec(K::Team, U), false),
    ("DELETE", "/api/v1/teams/{reference}/members/{user}", Rec(K::Team, U), false),
    ("GET", "/api/v1/tokens", SignedIn, false),
    ("POST", "/api/v1/tokens", Public, true),
    ("DELETE", "/api/v1/tokens/{reference}", TokenOwner, false),
    ("GET", "/api/v1/users", Rec(K::User, R), false),
    ("POST", "/api/v1/users", Rec(K::User, C), false),
    ("GET", "/api/v1/users/{reference}", Rec(K::User, R), false),
    ("PATCH", "/api/v1/users/{reference}", Rec(K::User, U), false),
    ("GET", "/api/v1/users/{reference}/history", Rec(K::User, R), false),
    // A file's bytes: read as the record it is on (here the demo customer's incident).
    ("GET", "/api/v1/attachments/{reference}", Rec(K::Incident, R), false),
    // Attachments on every record: read as the record is; written as comments are.
    ("GET", "/api/v1/incidents/{reference}/attachments", Rec(K::Incident, R), false),
    ("POST", "/api/v1/incidents/{reference}/attachments", Comments(K::Incident), false),
    ("GET", "/api/v1/requests/{reference}/attachments", Rec(K::Request, R), false),
    ("POST", "/api/v1/requests/{reference}/attachments", Comments(K::Request), false),
    ("GET", "/api/v1/problems/{reference}/attachments", Rec(K::Problem, R), false),
    ("POST", "/api/v1/problems/{reference}/attachments", Comments(K::Problem), false),
    ("GET", "/api/v1/changes/{reference}/attachments", Rec(K::Change, R), false),
    ("POST", "/api/v1/changes/{reference}/attachments", Comments(K::Change), false),
    ("GET", "/api/v1/change-blackouts/{reference}/attachments", Rec(K::ChangeBlackout, R), false),
    ("POST", "/api/v1/change-blackouts/{reference}/attachments", Comments(K::ChangeBlackout), false),
    ("GET", "/api/v1/change-templates/{reference}/attachments", Rec(K::ChangeTemplate, R), false),
    ("POST", "/api/v1/change-templates/{reference}/attachments", Comments(K::ChangeTemplate), false),
    ("GET", "/api/v1/releases/{reference}/attachments", Rec(K::Release, R), false),
    ("POST", "/api/v1/releases/{reference}/attachments", Comments(K::Release), false),
    ("GET", "/api/v1/configuration-items/{reference}/attachments", Rec(K::ConfigurationItem, R), false),
    ("POST", "/api/v1/configuration-items/{reference}/attachments", Comments(K::ConfigurationItem), false),
    ("GET", "/api/v1/assets/{reference}/attachments", Rec(K::Asset, R), false),
    ("POST", "/api/v1/assets/{reference}/attachments", Comments(K::Asset), false),
    ("GET", "/api/v1/licences/{reference}/attachments", Rec(K::Licence, R), false),
    ("POST", "/api/v1/licences/{reference}/attachments", Comments(K::Licence), false),
    ("GET", "/api/v1/services/{reference}/attachments", Rec(K::Service, R), false),
    ("POST", "/api/v1/services/{reference}/attachments", Comments(K::Service), false),
    ("GET", "/api/v1/catalogue-items/{reference}/attachments", Rec(K::CatalogueItem, R), false),
    ("POST", "/api/v1/catalogue-items/{reference}/attachments", Comments(K::CatalogueItem), false),
    ("GET", "/api/v1/calendars/{reference}/attachments", Rec(K::Calendar, R), false),
    ("POST", "/api/v1/calendars/{reference}/attachments", Comments(K::Calendar), false),
    ("GET", "/api/v1/agreements/{reference}/attachments", Rec(K::Agreement, R), false),
    ("POST", "/api/v1/agreements/{reference}/attachments", Comments(K::Agreement), false),
    ("GET", "/api/v1/organisations/{reference}/attachments", Rec(K::Organisation, R), false),
    ("POST", "/api/v1/organisations/{reference}/attachments", Comments(K::Organisation), false),
    ("GET", "/api/v1/teams/{reference}/attachments", Rec(K::Team, R), false),
    ("POST", "/api/v1/teams/{reference}/attachments", Comments(K::Team), false),
    ("GET", "/api/v1/users/{reference}/attachments", Rec(K::User, R), false),
    ("POST", "/api/v1/users/{reference}/attachments", Comments(K::User), false),
    ("GET", "/api/v1/compliance/scopes/{reference}/attachments", Rec(K::SmsScope, R), false),
    ("POST", "/api/v1/compliance/scopes/{reference}/attachments", Comments(K::SmsScope), false),
    ("GET", "/api/v1/compliance/assessments/{reference}/attachments", Rec(K::Assessment, R), false),
    ("POST", "/api/v1/compliance/assessments/{reference}/attachments", Comments(K::Assessment), false),
    ("GET", "/api/v1/compliance/documents/{reference}/attachments", Rec(K::Document, R), false),
    ("POST", "/api/v1/compliance/documents/{reference}/attachments", Comments(K::Document), false),
    ("GET", "/api/v1/compliance/evidence/{reference}/attachments", Rec(K::Evidence, R), false),
    ("POST", "/api/v1/compliance/evidence/{reference}/attachments", Comments(K::Evidence), false),
    ("GET", "/api/v1/compliance/audits/{reference}/attachments", Rec(K::Audit, R), false),
    ("POST", "/api/v1/compliance/audits/{reference}/attachments", Comments(K::Audit), false),
    ("GET", "/api/v1/compliance/findings/{reference}/attachments", Rec(K::Finding, R), false),
    ("POST", "/api/v1/compliance/findings/{reference}/attachments", Comments(K::Finding), false),
    ("GET", "/api/v1/compliance/nonconformities/{reference}/attachments", Rec(K::Nonconformity, R), false),
    ("POST", "/api/v1/compliance/nonconformities/{reference}/attachments", Comments(K::Nonconformity), false),
    ("GET", "/api/v1/compliance/actions/{reference}/attachments", Rec(K::Action, R), false),
    ("POST", "/api/v1/compliance/actions/{reference}/attachments", Comments(K::Action), false),
    ("GET", "/api/v1/compliance/management-reviews/{reference}/attachments", Rec(K::ManagementReview, R), false),
    ("POST", "/api/v1/compliance/management-reviews/{reference}/attachments", Comments(K::ManagementReview), false),
    ("GET", "/api/v1/compliance/improvements/{reference}/attachments", Rec(K::Improvement, R), false),
    ("POST", "/api/v1/compliance/improvements/{reference}/attachments", Comments(K::Improvement), false),
    ("GET", "/api/v1/compliance/risks/{reference}/attachments", Rec(K::Risk, R), false),
    ("POST", "/api/v1/compliance/risks/{reference}/attachments", Comments(K::Risk), false),
    ("GET", "/api/v1/compliance/objectives/{reference}/attachments", Rec(K::Objective, R), false),
    ("POST", "/api/v1/compliance/objectives/{reference}/attachments", Comments(K::Objective), false),
    ("GET", "/api/v1/compliance/programmes/{reference}/attachments", Rec(K::Programme, R), false),
    ("POST", "/api/v1/compliance/programmes/{reference}/attachments", Comments(K::Programme), false),
    ("GET", "/api/v1/compliance/certificates/{reference}/attachments", Rec(K::Certificate, R), false),
    ("POST", "/api/v1/compliance/certificates/{reference}/attachments", Comments(K::Certificate), false),
    // Comments on every record: read as the record is; written as below.
    ("GET", "/api/v1/incidents/{reference}/comments", Rec(K::Incident, R), false),
    ("POST", "/api/v1/incidents/{reference}/comments", Comments(K::Incident), false),
    ("GET", "/api/v1/requests/{reference}/comments", Rec(K::Request, R), false),
    ("POST", "/api/v1/requests/{reference}/comments", Comments(K::Request), false),
    ("GET", "/api/v1/problems/{reference}/comments", Rec(K::Problem, R), false),
    ("POST", "/api/v1/problems/{reference}/comments", Comments(K::Problem), false),
    ("GET", "/api/v1/changes/{reference}/comments", Rec(K::Change, R), false),
    ("POST", "/api/v1/changes/{reference}/comments", Comments(K::Change), false),
    ("GET", "/api/v1/change-blackouts/{reference}/comments", Rec(K::ChangeBlackout, R), false),
    ("POST", "/api/v1/change-blackouts/{reference}/comments", Comments(K::ChangeBlackout), false),
    ("GET", "/api/v1/change-templates/{reference}/comments", Rec(K::ChangeTemplate, R), false),
    ("POST", "/api/v1/change-templates/{reference}/comments", Comments(K::ChangeTemplate), false),
    ("GET", "/api/v1/releases/{reference}/comments", Rec(K::Release, R), false),
    ("POST", "/api/v1/releases/{reference}/comments", Comments(K::Release), false),
    ("GET", "/api/v1/configuration-items/{reference}/comments", Rec(K::ConfigurationItem, R), false),
    ("POST", "/api/v1/configuration-items/{reference}/comments", Comments(K::ConfigurationItem), false),
    ("GET", "/api/v1/assets/{reference}/comments", Rec(K::Asset, R), false),
    ("POST", "/api/v1/assets/{reference}/comments", Comments(K::Asset), false),
    ("GET", "/api/v1/licences/{reference}/comments", Rec(K::Licence, R), false),
    ("POST", "/api/v1/licences/{reference}/comments", Comments(K::Licence), false),
    ("GET", "/api/v1/services/{reference}/comments", Rec(K::Service, R), false),
    ("POST", "/api/v1/services/{reference}/comments", Comments(K::Service), false),
    ("GET", "/api/v1/catalogue-items/{reference}/comments", Rec(K::CatalogueItem, R), false),
    ("POST", "/api/v1/catalogue-items/{reference}/comments", Comments(K::CatalogueItem), false),
    ("GET", "/api/v1/calendars/{reference}/comments", Rec(K::Calendar, R), false),
    ("POST", "/api/v1/calendars/{reference}/comments", Comments(K::Calendar), false),
    ("GET", "/api/v1/agreements/{reference}/comments", Rec(K::Agreement, R), false),
    ("POST", "/api/v1/agreements/{reference}/comments", Comments(K::Agreement), false),
    ("GET", "/api/v1/organisations/{reference}/comments", Rec(K::Organisation, R), false),
    ("POST", "/api/v1/organisations/{reference}/comments", Comments(K::Organisation), false),
    ("GET", "/api/v1/teams/{reference}/comments", Rec(K::Team, R), false),
    ("POST", "/api/v1/teams/{reference}/comments", Comments(K::Team), false),
    ("GET", "/api/v1/users/{reference}/comments", Rec(K::User, R), false),
    ("POST", "/api/v1/users/{reference}/comments", Comments(K::User), false),
    ("GET", "/api/v1/compliance/scopes/{reference}/comments", Rec(K::SmsScope, R), false),
    ("POST", "/api/v1/compliance/scopes/{reference}/comments", Comments(K::SmsScope), false),
    ("GET", "/api/v1/compliance/assessments/{reference}/comments", Rec(K::Assessment, R), false),
    ("POST", "/api/v1/compliance/assessments/{reference}/comments", Comments(K::Assessment), false),
    ("GET", "/api/v1/compliance/documents/{reference}/comments", Rec(K::Document, R), false),
    ("POST", "/api/v1/compliance/documents/{reference}/comments", Comments(K::Document), false),
    ("GET", "/api/v1/compliance/evidence/{reference}/comments", Rec(K::Evidence, R), false),
    ("POST", "/api/v1/compliance/evidence/{reference}/comments", Comments(K::Evidence), false),
    ("GET", "/api/v1/compliance/audits/{reference}/comments", Rec(K::Audit, R), false),
    ("POST", "/api/v1/compliance/audits/{reference}/comments", Comments(K::Audit), false),
    ("GET", "/api/v1/compliance/findings/{reference}/comments", Rec(K::Finding, R), false),
    ("POST", "/api/v1/compliance/findings/{reference}/comments", Comments(K::Finding), false),
    ("GET", "/api/v1/compliance/nonconformities/{reference}/comments", Rec(K::Nonconformity, R), false),
    ("POST", "/api/v1/compliance/nonconformities/{reference}/comments", Comments(K::Nonconformity), false),
    ("GET", "/api/v1/compliance/actions/{reference}/comments", Rec(K::Action, R), false),
    ("POST", "/api/v1/compliance/actions/{reference}/comments", Comments(K::Action), false),
    ("GET", "/api/v1/compliance/management-reviews/{reference}/comments", Rec(K::ManagementReview, R), false),
    ("POST", "/api/v1/compliance/management-reviews/{reference}/comments", Comments(K::ManagementReview), false),
    ("GET", "/api/v1/compliance/improvements/{reference}/comments", Rec(K::Improvement, R), false),
    ("POST", "/api/v1/compliance/improvements/{reference}/comments", Comments(K::Improvement), false),
    ("GET", "/api/v1/compliance/risks/{reference}/comments", Rec(K::Risk, R), false),
    ("POST", "/api/v1/compliance/risks/{reference}/comments", Comments(K::Risk), false),
    ("GET", "/api/v1/compliance/objectives/{reference}/comments", Rec(K::Objective, R), false),
    ("POST", "/api/v1/compliance/objectives/{reference}/comments", Comments(K::Objective), false),
    ("GET", "/api/v1/compliance/programmes/{reference}/comments", Rec(K::Programme, R), false),
    ("POST", "/api/v1/compliance/programmes/{reference}/comments", Comments(K::Programme), false),
    ("GET", "/api/v1/compliance/certificates/{reference}/comments", Rec(K::Certificate, R), false),
    ("POST", "/api/v1/compliance/certificates/{reference}/comments", Comments(K::Certificate), false),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Caller {
    Admin,
    Manager,
    Agent,
    Auditor,
    Customer,
    OtherCustomer,
    Nobody,
    Revoked,
    Expired,
    CookieOnly,
}

const CALLERS: [Caller; 10] = [
    Caller::Admin,
    Caller::Manager,
    Caller::Agent,
    Caller::Auditor,
    Caller::Customer,
    Caller::OtherCustomer,
    Caller::Nobody,
    Caller::Revoked,
    Caller::Expired,
    Caller::CookieOnly,
];

/// The access table as a user would write it down (deliberately not steward-core's own).
fn allowed(caller: Caller, kind: K, op: Op) -> bool {
    let agent_writes = matches!(
        kind,
        K::Incident
            | K::Request
            | K::Problem
            | K::Change
            | K::Release
            | K::ConfigurationItem
            | K::Asset
            | K::Complaint
            | K::Cost
            | K::Article
    );
    match caller {
        Caller::Admin => true,
        Caller::Manager => op == R || kind != K::User,
        Caller::Agent => op == R || agent_writes,
        Caller::Auditor => op == R,
        Caller::Customer | Caller::OtherCustomer => match op {
            R => matches!(
                kind,
                K::Service
                    | K::CatalogueItem
                    | K::Incident
                    | K::Request
                    | K::Organisation
                    | K::Complaint
                    | K::Survey
                    | K::Article
            ),
            C => matches!(kind, K::Incident | K::Request | K::Complaint),
            U => false,
        },
        Caller::Nobody | Caller::Revoked | Caller::Expired | Caller::CookieOnly => false,
    }
}

#[derive(Debug, PartialEq)]
enum Expect {
    Allowed,
    Refused,
    /// Refused, and told the record does not exist.
    NotFound,
    Unauthenticated,
}

fn expect(caller: Caller, rule: Rule, path: &str) -> Expect {
    let signed_in = !matches!(
        caller,
        Caller::Nobody | Caller::Revoked | Caller::Expired | Caller::CookieOnly
    );
    let customer = matches!(caller, Caller::Customer | Caller::OtherCustomer);
    match rule {
        Public => Expect::Allowed,
        _ if !signed_in => Expect::Unauthenticated,
        SignedIn => Expect::Allowed,
        Staff if customer => Expect::Refused,
        Staff => Expect::Allowed,
        Workers if matches!(caller, Caller::Admin | Caller::Manager | Caller::Agent) => Expect::Allowed,
        Workers => Expect::Refused,
        Admin if caller == Caller::Admin => Expect::Allowed,
        Admin => Expect::Refused,
        Managers if matches!(caller, Caller::Admin | Caller::Manager) => Expect::Allowed,
        Managers => Expect::Refused,
        TokenOwner if matches!(caller, Caller::Admin | Caller::Manager) => Expect::Allowed,
        TokenOwner => Expect::NotFound,
        Comments(kind) if customer => {
            if !matches!(kind, K::Incident | K::Request | K::Complaint) {
                Expect::Refused
            } else if caller == Caller::OtherCustomer {
                Expect::NotFound
            } else {
                Expect::Allowed
            }
        }
        Comments(kind) => expect(caller, Rec(kind, U), path),
        Recipient => match caller {
            Caller::Customer => Expect::Allowed,
            Caller::OtherCustomer => Expect::NotFound,
            _ => Expect::Refused,
        },
        Voters if caller == Caller::Auditor => Expect::Refused,
        Voters => Expect::Allowed,
        WatchForAgent if caller == Caller::Agent => expect(caller, Rec(K::Incident, R), path),
        WatchForAgent if customer => Expect::Refused,
        WatchForAgent => expect(caller, Rec(K::Incident, U), path),
        Rec(kind, op) => {
            let own_records = matches!(
                kind,
                K::Incident | K::Request | K::Organisation | K::Complaint | K::Survey
            );
            let names_one = path.contains("{reference}")
                || path.contains("{record}")
                || path == "/api/v1/links"
                || path == "/api/v1/watchers";
            if !allowed(caller, kind, op) {
                Expect::Refused
            } else if caller == Caller::OtherCustomer && own_records && names_one {
                Expect::NotFound
            } else {
                Expect::Allowed
            }
        }
    }
}

/// Runs the binary, which must succeed; what it printed on standard output.
fn steward(db: &TestDb, args: &[&str]) -> String {
    common::succeed(&db.cli_args(), args)
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_access_table_says() {
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        // Enough tickets that the demo's one-in-twenty problems and changes are all but certain
        // to include one of each, whenever the test runs (their draws follow the clock).
        steward(&db, &["demo", "--records", "400"]);
        let demo = [
            (Caller::Manager, "nia.nguyen@it.example.com"),
            (Caller::Agent, "lena.novak@it.example.com"),
            (Caller::Auditor, "chen.okafor@it.example.com"),
            (Caller::Customer, "sam.nguyen@northwind.example"),
        ];
        steward(&db, &["user", "add", "--email", "root@example.com", "--role", "admin"]);
        let mut tokens: HashMap<Caller, String> = HashMap::new();
        tokens.insert(
            Caller::Admin,
            steward(&db, &["token", "create", "--email", "root@example.com"]),
        );
        for (caller, email) in demo {
            tokens.insert(caller, steward(&db, &["token", "create", "--email", email]));
        }
        let revoked = steward(
            &db,
            &["token", "create", "--email", "root@example.com", "--name", "old"],
        );
        let listed = steward(&db, &["token", "list", "--email", "root@example.com"]);
        let old = listed
            .lines()
            .find(|l| l.contains("\told\t"))
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .to_string();
        steward(&db, &["token", "revoke", &old]);
        tokens.insert(Caller::Revoked, revoked);
        let (expired, hash) = steward_server::auth::new_token().unwrap();
        let root = db.store.user_by_email("root@example.com").await.unwrap().unwrap();
        let past = chrono::Utc::now() - chrono::Duration::hours(1);
        let info = TokenInfo {
            name: "expired".into(),
            created_at: past - chrono::Duration::days(1),
            expires_at: Some(past),
        };
        db.store.insert_token(root.id, &hash, &info).await.unwrap();
        tokens.insert(Caller::Expired, expired);
        // A manager's token for the revocation route: the manager and administrators may revoke it.
        let spare = steward(
            &db,
            &[
                "token",
                "create",
                "--email",
                "nia.nguyen@it.example.com",
                "--name",
                "spare",
            ],
        );
        let _ = spare;
        let listed = steward(&db, &["token", "list", "--email", "nia.nguyen@it.example.com"]);
        let spare_ref = listed
            .lines()
            .find(|l| l.contains("\tspare\t"))
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .to_string();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = steward_server::AppState::new(db.store.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            steward_server::serve(listener, state, async {
                stopped.await.ok();
            })
            .await
            .unwrap();
        });
        let http = reqwest::Client::new();
        let admin = tokens[&Caller::Admin].clone();
        let get = |path: String, token: String| {
            let http = http.clone();
            let base = base.clone();
            async move {
                let r = http
                    .get(format!("{base}{path}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{path}: {}", r.status());
                r.json::<Value>().await.unwrap()
            }
        };
        // A customer of another organisation than the demo customer's.
        let me = get("/api/v1/me".into(), tokens[&Caller::Customer].clone()).await;
        let own_org = me["user"]["organisation"].as_str().unwrap().to_string();
        let orgs = get("/api/v1/organisations?limit=10".into(), admin.clone()).await;
        let other_org = orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .find(|o| *o != own_org)
            .unwrap()
            .to_string();
        steward(
            &db,
            &[
                "user",
                "add",
                "--email",
                "rival@example.com",
                "--role",
                "requester",
                "--organisation",
                &other_org,
            ],
        );
        tokens.insert(
            Caller::OtherCustomer,
            steward(&db, &["token", "create", "--email", "rival@example.com"]),
        );

        // The demo plans no blackout; one is added so its routes have a record to name.
        let r = http
            .post(format!("{base}/api/v1/change-blackouts"))
            .bearer_auth(&admin)
            .json(&json!({"name": "Year-end freeze", "starts_at": "2026-12-20T00:00:00Z", "ends_at": "2027-01-03T00:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        // A record of each collection to name in paths: the demo customer's own where it has any.
        let mut first: HashMap<String, String> = HashMap::new();
        let customer = tokens[&Caller::Customer].clone();
        for (_, path, _, _) in ROUTES {
            let Some((collection, _)) = path.split_once("/{reference}") else {
                continue;
            };
            if first.contains_key(collection) || collection == "/api/v1/tokens" || collection == "/api/v1/attachments" {
                continue;
            }
            let token = if ["/incidents", "/requests", "/complaints", "/surveys"]
                .iter()
                .any(|c| collection.ends_with(c))
            {
                &customer
            } else {
                &admin
            };
            let list = get(format!("{collection}?limit=1"), token.clone()).await;
            let id = match list["items"][0]["id"].as_str() {
                Some(id) => id.to_string(),
                None if collection.ends_with("/organisations") => own_org.clone(),
                None => panic!("the demo has no record at {collection}: {list}"),
            };
            first.insert(collection.to_string(), id);
        }
        first.insert("/api/v1/organisations".into(), own_org.clone());
        // A file on the demo customer's incident, so the download route has one to name.
        let r = http
            .post(format!(
                "{base}/api/v1/incidents/{}/attachments?name=screenshot.txt",
                first["/api/v1/incidents"]
            ))
            .bearer_auth(&customer)
            .body("the error on my screen")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let file: Value = r.json().await.unwrap();
        first.insert("/api/v1/attachments".into(), file["id"].as_str().unwrap().to_string());
        let ci = first["/api/v1/configuration-items"].clone();
        let indicators = get("/api/v1/compliance/indicators".into(), admin.clone()).await;
        let indicator = indicators["indicators"][0]["id"]
            .as_str()
            .or(indicators["items"][0]["id"].as_str())
            .unwrap_or("incidents_within_target")
            .to_string();
        let me_agent = get("/api/v1/me".into(), tokens[&Caller::Agent].clone()).await;
        let agent_ref = me_agent["user"]["id"].as_str().unwrap().to_string();

        // Every route in the document is in the table, and every entry of the table is a route.
        let doc = get("/api/v1/openapi.json".into(), admin.clone()).await;
        let mut served = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                served.insert((method.to_uppercase(), path.clone()));
            }
        }
        let listed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
            .collect();
        let missing: Vec<_> = served.difference(&listed).collect();
        assert!(
            missing.is_empty(),
            "routes with no entry in the access matrix: {missing:?}"
        );
        let stale: Vec<_> = listed.difference(&served).collect();
        assert!(stale.is_empty(), "entries for routes that no longer exist: {stale:?}");

        let mut wrong = vec![];
        for (method, template, rule, body_first) in ROUTES {
            let mut path = template.to_string();
            if let Some((collection, _)) = template.split_once("/{reference}") {
                let r = if template.starts_with("/api/v1/tokens") {
                    spare_ref.clone()
                } else {
                    first[collection].clone()
                };
                path = path.replace("{reference}", &r);
            }
            path = path
                .replace("{clause}", "4.1")
                .replace("{name}", "server")
                .replace(
                    "{id}",
                    if template.contains("notifications") {
                        "1"
                    } else {
                        &indicator
                    },
                )
                .replace("{index}", "0")
                .replace("{event}", "assignment")
                .replace("{record}", &first["/api/v1/incidents"])
                .replace("{kind}", "depends_on")
                .replace("{user}", &agent_ref);
            if template.starts_with("/api/v1/links/") {
                path = path
                    .replace("{from}", &first["/api/v1/incidents"])
                    .replace("{to}", "CHG-999999");
            } else {
                path = path.replace("{to}", "CI-999999");
            }
            let _ = &ci;
            // The query a route needs to be answered at all.
            let query = match *template {
                "/api/v1/links" | "/api/v1/watchers" => format!("?record={}", first["/api/v1/incidents"]),
                "/api/v1/reports/sla"
                | "/api/v1/reports/changes"
                | "/api/v1/reports/availability"
                | "/api/v1/reports/suppliers"
                | "/api/v1/reports/relationships"
                | "/api/v1/reports/satisfaction"
                | "/api/v1/reports/budget"
                | "/api/v1/reports/costs"
                | "/api/v1/reports/capacity"
                | "/api/v1/reports/demand"
                | "/api/v1/reports/security"
                | "/api/v1/capacity-requirements/{reference}/readings" => "?from=2026-09-01&to=2026-12-01".to_string(),
                t if t.ends_with("/business-time") => "?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z".to_string(),
                _ => String::new(),
            };
            path.push_str(&query);
            for caller in CALLERS {
                let want = expect(caller, *rule, template);
                let mut req = http.request(method.parse().unwrap(), format!("{base}{path}"));
                match caller {
                    Caller::Nobody => {}
                    Caller::CookieOnly => req = req.header("cookie", "steward_session=whatever"),
                    c => req = req.bearer_auth(&tokens[&c]),
                }
                let body = if template.ends_with("/transition") {
                    json!({"to": "no_such_state"})
                } else {
                    json!({})
                };
                if *method != "GET" && *method != "DELETE" {
                    req = req.json(&body);
                }
                let status = req.send().await.unwrap().status();
                let fine = match want {
                    _ if status.is_server_error() => false,
                    Expect::Allowed => status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    Expect::Unauthenticated => status == StatusCode::UNAUTHORIZED,
                    Expect::NotFound => status == StatusCode::NOT_FOUND,
                    Expect::Refused if *body_first => !status.is_success() && status != StatusCode::UNAUTHORIZED,
                    Expect::Refused => status == StatusCode::FORBIDDEN,
                };
                if !fine {
                    wrong.push(format!("{method} {path} as {caller:?}: {status}, expected {want:?}"));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} answers differ from the access matrix:\n{}",
            wrong.len(),
            wrong.join("\n")
        );

        // A customer of another organisation finds nothing of the demo customer's by any list,
        // filter, count, search or error message.
        let rival = tokens[&Caller::OtherCustomer].clone();
        let theirs = first["/api/v1/incidents"].clone();
        let incident = get(format!("/api/v1/incidents/{theirs}"), customer.clone()).await;
        let title = incident["title"].as_str().unwrap().to_string();
        for collection in ["incidents", "requests"] {
            let mut queries = vec![String::new(), "&sort=sla_due_at".to_string()];
            if collection == "incidents" {
                queries.push(format!("&organisation={own_org}"));
            }
            for query in queries {
                let page = get(format!("/api/v1/{collection}?limit=500{query}"), rival.clone()).await;
                let foreign: Vec<&Value> = page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|i| i["organisation"] != json!(other_org))
                    .collect();
                assert!(foreign.is_empty(), "{collection}{query}: {foreign:?}");
            }
        }
        let orgs = get("/api/v1/organisations?limit=500".into(), rival.clone()).await;
        let ids: Vec<&str> = orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [other_org.as_str()], "a customer sees only their own organisation");
        for word in title.split_whitespace().filter(|w| w.len() > 3).take(3) {
            let hits = get(format!("/api/v1/search?q={word}&limit=50"), rival.clone()).await;
            assert!(
                !hits.to_string().contains(&format!("\"{theirs}\"")),
                "search for {word}: {hits}"
            );
        }
        let hits = get(format!("/api/v1/search?q={theirs}"), rival.clone()).await;
        assert!(!hits.to_string().contains(&title), "{hits}");
        for path in [
            format!("/api/v1/incidents/{theirs}"),
            format!("/api/v1/incidents/{theirs}/history"),
            format!("/api/v1/links?record={theirs}"),
        ] {
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(&rival)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
            let text = r.text().await.unwrap();
            assert!(!text.contains(&title) && !text.contains(&own_org), "{path}: {text}");
        }
        let missing = http
            .get(format!("{base}/api/v1/incidents/INC-999999"))
            .bearer_auth(&rival)
            .send()
            .await
            .unwrap();
        let (a, b) = (
            missing.status(),
            http.get(format!("{base}/api/v1/incidents/{theirs}"))
                .bearer_auth(&rival)
                .send()
                .await
                .unwrap(),
        );
        assert_eq!(a, b.status(), "someone else's record and no record answer alike");
        stop.send(()).ok();
        server.await.ok();
        db.finish().await;
    }
}
