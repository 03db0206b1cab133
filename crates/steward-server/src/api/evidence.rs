//! `/api/v1/compliance/evidence`: registered evidence for a requirement, with the date it speaks
//! for and how long it stays fresh. Freshness runs from the effective date, not from the day the
//! evidence was registered.

use steward_core::evidence::{Evidence, EvidencePatch, NewEvidence};

use super::prelude::*;

list_query! {
    /// Filters for the evidence list.
    EvidenceQuery {
        /// Only evidence for this clause, e.g. `8.7.2`.
        requirement: String => "requirement",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Evidence, tag: "compliance", example: "e.g. EVD-3",
    list: list_evidence(EvidenceQuery) at "/api/v1/compliance/evidence",
    create: create_evidence(NewEvidence) as |ctx, input| Evidence::create(input, ctx.now),
    get: get_evidence at "/api/v1/compliance/evidence/{reference}",
    update: update_evidence(EvidencePatch),
    history: evidence_history at "/api/v1/compliance/evidence/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
}
