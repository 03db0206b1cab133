//! Certification readiness: for each requirement, what the self-assessment says, whether its
//! documented information is present and current, what live and registered evidence shows and
//! how fresh it is, and which nonconformities are still open — combined by a stated rule into a
//! figure per requirement, rolled up per clause and overall, with the reasoning kept beside it.
//!
//! The rule, per requirement that can be assessed (one with no sub-clauses), out of 100:
//! - self-assessment, 40: the latest score, counted up to 3 ("defined", the level certification
//!   expects): `min(score, 3) / 3 × 40`; not assessed is 0;
//! - documented information, 20: where the requirement asks for documented information, a
//!   current (approved, within review date) document linked to it, or the live records Steward
//!   holds for a mandatory item, gives 20; a linked document that is not current gives 10;
//!   nothing gives 0. Where none is asked for, the full 20;
//! - evidence, 40: the mean credit of the requirement's evidence — each indicator with records in
//!   the period scores 1 when fresh and met, ½ when fresh and not met, 0 when stale; registered
//!   evidence counts as one more item, 1 when any piece of it is fresh and 0 when all of it is
//!   stale (so keeping old evidence never lowers the figure). No evidence at all is 0;
//! - open nonconformities: an open major one caps the requirement at 50; each open minor one
//!   takes 10 off.
//!
//! A clause's figure is the mean of the assessable requirements under it; the overall figure is
//! the mean of all of them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::assessment::{assessable, round2};
use crate::compliance::{Catalogue, DocumentedInformation, under};
use crate::document::{Document, MandatoryItem, MandatoryState, ReviewState};
use crate::evidence::Evidence;
use crate::id::{AssessmentId, DocumentId, EvidenceId};
use crate::indicator::{Indicator, Period};
use crate::sms_scope::ScopeWarning;

/// The rule, as shown with every report.
pub const METHOD: &[&str] = &[
    "Each requirement with no sub-clauses is scored out of 100.",
    "Self-assessment, up to 40: the latest score counted up to 3 (defined), min(score, 3) / 3 x 40.",
    "Documented information, up to 20: where the requirement asks for it, a current linked document (or live records Steward holds for a mandatory item) gives 20, a linked document that is not current 10, nothing 0; where it asks for none, 20.",
    "Evidence, up to 40: the mean credit of its indicators with records in the period (fresh and met 1, fresh and not met 0.5, stale 0) and its registered evidence as one item (1 if any piece is fresh, else 0); no evidence is 0.",
    "Open nonconformities: a major one caps the requirement at 50; each minor one takes 10 off.",
    "A clause is the mean of the requirements under it; the overall figure is the mean of all requirements.",
];

/// An open nonconformity as readiness counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OpenNonconformity {
    pub reference: String,
    pub requirement: String,
    pub major: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DocumentState {
    pub document: DocumentId,
    pub identifier: String,
    pub review: ReviewState,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IndicatorState {
    pub id: &'static str,
    pub population: u64,
    pub value_percent: Option<f64>,
    pub met: Option<bool>,
    pub fresh: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvidenceState {
    pub evidence: EvidenceId,
    pub effective_date: NaiveDate,
    pub fresh: bool,
}

/// The parts a requirement's figure is made of.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Parts {
    pub assessment: f64,
    pub documents: f64,
    pub evidence: f64,
    /// What open nonconformities took off.
    pub nonconformities: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RequirementReadiness {
    pub clause: String,
    pub title: String,
    pub readiness_percent: f64,
    pub score: Option<u8>,
    pub documented_information: DocumentedInformation,
    pub documents: Vec<DocumentState>,
    pub indicators: Vec<IndicatorState>,
    pub evidence: Vec<EvidenceState>,
    pub open_nonconformities: Vec<OpenNonconformity>,
    pub parts: Parts,
    /// Why the figure is what it is, one sentence per part.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ClauseReadiness {
    pub clause: String,
    pub title: String,
    pub readiness_percent: f64,
    /// How many assessable requirements it covers.
    pub requirements: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadinessReport {
    pub edition: String,
    pub generated_at: DateTime<Utc>,
    /// The period the live indicators cover.
    pub period: Period,
    /// The assessment whose scores are used: the latest completed one, or else the latest.
    pub assessment: Option<AssessmentId>,
    pub overall_percent: f64,
    pub method: Vec<&'static str>,
    /// Every clause that has sub-clauses (4 ... 10, 8.5, 8.5.1 ...), in the standard's order.
    pub clauses: Vec<ClauseReadiness>,
    pub requirements: Vec<RequirementReadiness>,
    pub mandatory_documents: Vec<MandatoryItem>,
    pub scope_warnings: Vec<ScopeWarning>,
}

/// Everything readiness is computed from.
pub struct Inputs<'a> {
    pub catalogue: &'a Catalogue,
    pub generated_at: DateTime<Utc>,
    pub today: NaiveDate,
    pub period: Period,
    pub assessment: Option<AssessmentId>,
    /// Latest score per requirement.
    pub scores: &'a HashMap<String, u8>,
    pub documents: &'a [Document],
    pub mandatory: Vec<MandatoryItem>,
    pub indicators: &'a [Indicator],
    pub evidence: &'a [Evidence],
    pub nonconformities: &'a [OpenNonconformity],
    pub scope_warnings: Vec<ScopeWarning>,
}

pub fn readiness(i: Inputs<'_>) -> ReadinessReport {
    let leaves = assessable(i.catalogue);
    let requirements: Vec<RequirementReadiness> = leaves
        .iter()
        .map(|r| {
            let mut reasons = Vec::new();
            let score = i.scores.get(&r.clause).copied();
            let assessment = match score {
                Some(s) => {
                    reasons.push(format!("self-assessed at {s} of 5"));
                    f64::from(s.min(3)) / 3.0 * 40.0
                }
                None => {
                    reasons.push("not self-assessed".into());
                    0.0
                }
            };

            let documents: Vec<DocumentState> = i
                .documents
                .iter()
                .filter(|d| d.requirements.contains(&r.clause))
                .map(|d| DocumentState {
                    document: d.id,
                    identifier: d.identifier.clone(),
                    review: d.review_state(i.today),
                })
                .filter(|d| d.review != ReviewState::Withdrawn)
                .collect();
            let held = i
                .mandatory
                .iter()
                .any(|m| m.requirement == r.clause && m.state == MandatoryState::Present);
            let current = documents
                .iter()
                .any(|d| matches!(d.review, ReviewState::Current | ReviewState::DueSoon));
            let docs_part = if r.documented_information == DocumentedInformation::None {
                reasons.push("asks for no documented information".into());
                20.0
            } else if current || held {
                reasons.push("its documented information is present and current".into());
                20.0
            } else if !documents.is_empty() {
                reasons.push("its documents are not approved or are past their review date".into());
                10.0
            } else {
                reasons.push("asks for documented information and none is registered".into());
                0.0
            };

            let indicators: Vec<IndicatorState> = i
                .indicators
                .iter()
                .filter(|x| x.def.requirement == r.clause)
                .map(|x| IndicatorState {
                    id: x.def.id,
                    population: x.population,
                    value_percent: x.value_percent,
                    met: x.met,
                    fresh: x.fresh,
                })
                .collect();
            let evidence: Vec<EvidenceState> = i
                .evidence
                .iter()
                .filter(|e| e.requirement == r.clause)
                .map(|e| EvidenceState {
                    evidence: e.id,
                    effective_date: e.effective_date,
                    fresh: e.is_fresh(i.today),
                })
                .collect();
            let mut credits: Vec<f64> = Vec::new();
            for x in indicators.iter().filter(|x| x.population > 0) {
                let c = match (x.fresh, x.met) {
                    (true, Some(true)) => 1.0,
                    (true, _) => 0.5,
                    (false, _) => 0.0,
                };
                credits.push(c);
                reasons.push(format!(
                    "{}: {}% {} target, {}",
                    x.id,
                    x.value_percent.unwrap_or(0.0),
                    if x.met == Some(true) { "meets its" } else { "below its" },
                    if x.fresh { "fresh" } else { "stale" }
                ));
            }
            for x in indicators.iter().filter(|x| x.population == 0) {
                reasons.push(format!("{}: no records in the period", x.id));
            }
            if !evidence.is_empty() {
                credits.push(if evidence.iter().any(|e| e.fresh) { 1.0 } else { 0.0 });
            }
            for e in &evidence {
                reasons.push(format!(
                    "{} effective {} is {}",
                    e.evidence,
                    e.effective_date,
                    if e.fresh { "fresh" } else { "stale" }
                ));
            }
            let evidence_part = if credits.is_empty() {
                reasons.push("no evidence".into());
                0.0
            } else {
                credits.iter().sum::<f64>() / credits.len() as f64 * 40.0
            };

            let open: Vec<OpenNonconformity> = i
                .nonconformities
                .iter()
                .filter(|n| n.requirement == r.clause)
                .cloned()
                .collect();
            let base = assessment + docs_part + evidence_part;
            let mut total = base;
            if open.iter().any(|n| n.major) {
                total = total.min(50.0);
                reasons.push("an open major nonconformity caps it at 50".into());
            }
            let minors = open.iter().filter(|n| !n.major).count();
            if minors > 0 {
                total = (total - 10.0 * minors as f64).max(0.0);
                reasons.push(format!("{minors} open minor nonconformities take off {}", 10 * minors));
            }
            RequirementReadiness {
                clause: r.clause.clone(),
                title: r.title.clone(),
                readiness_percent: round2(total),
                score,
                documented_information: r.documented_information,
                documents,
                indicators,
                evidence,
                open_nonconformities: open,
                parts: Parts {
                    assessment: round2(assessment),
                    documents: round2(docs_part),
                    evidence: round2(evidence_part),
                    nonconformities: round2(base - total),
                },
                reasons,
            }
        })
        .collect();

    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            round2(v.iter().sum::<f64>() / v.len() as f64)
        }
    };
    let clauses = i
        .catalogue
        .requirements
        .iter()
        .filter(|c| !leaves.iter().any(|l| l.clause == c.clause))
        .map(|c| {
            let under_it: Vec<f64> = requirements
                .iter()
                .filter(|r| under(&r.clause, &c.clause))
                .map(|r| r.readiness_percent)
                .collect();
            ClauseReadiness {
                clause: c.clause.clone(),
                title: c.title.clone(),
                requirements: under_it.len(),
                readiness_percent: mean(under_it),
            }
        })
        .collect();
    ReadinessReport {
        edition: i.catalogue.edition.clone(),
        generated_at: i.generated_at,
        period: i.period,
        assessment: i.assessment,
        overall_percent: mean(requirements.iter().map(|r| r.readiness_percent).collect()),
        method: METHOD.to_vec(),
        clauses,
        requirements,
        mandatory_documents: i.mandatory,
        scope_warnings: i.scope_warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::catalogue;
    use crate::document::{DocumentStatus, DocumentType, NewDocument};
    use crate::evidence::NewEvidence;
    use crate::id::UserId;
    use crate::indicator::{Counts, find};

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn period() -> Period {
        Period {
            from: "2026-01-01T00:00:00Z".parse().unwrap(),
            to: "2026-04-01T00:00:00Z".parse().unwrap(),
        }
    }

    fn indicator(id: &str, population: u64, passing: u64, latest: &str) -> Indicator {
        Indicator::from_counts(
            *find(id).unwrap(),
            period(),
            Counts {
                population,
                passing,
                latest_micros: Some(latest.parse::<DateTime<Utc>>().unwrap().timestamp_micros()),
            },
            period().to,
        )
    }

    fn report(
        scores: &[(&str, u8)],
        documents: &[Document],
        indicators: &[Indicator],
        evidence: &[Evidence],
        ncs: &[OpenNonconformity],
    ) -> ReadinessReport {
        let scores: HashMap<String, u8> = scores.iter().map(|(c, s)| (c.to_string(), *s)).collect();
        readiness(Inputs {
            catalogue: catalogue().unwrap(),
            generated_at: period().to,
            today: day("2026-04-01"),
            period: period(),
            assessment: Some(AssessmentId(1)),
            scores: &scores,
            documents,
            mandatory: Vec::new(),
            indicators,
            evidence,
            nonconformities: ncs,
            scope_warnings: Vec::new(),
        })
    }

    fn get<'a>(r: &'a ReadinessReport, clause: &str) -> &'a RequirementReadiness {
        r.requirements.iter().find(|x| x.clause == clause).unwrap()
    }

    #[test]
    fn an_empty_system_scores_only_where_nothing_is_asked() {
        let r = report(&[], &[], &[], &[], &[]);
        // 4.1 asks for no documents: 20 of 100; 4.3 asks for one: 0.
        assert_eq!(get(&r, "4.1").readiness_percent, 20.0);
        assert_eq!(get(&r, "4.3").readiness_percent, 0.0);
        assert!(get(&r, "4.3").reasons.iter().any(|x| x.contains("none is registered")));
        assert!(r.overall_percent > 0.0 && r.overall_percent < 20.0);
    }

    #[test]
    fn the_parts_add_up_as_stated() {
        let mut policy = Document::create(
            NewDocument {
                identifier: "CHG-POL".into(),
                title: "Change management policy".into(),
                document_type: DocumentType::Policy,
                version: None,
                owner: None,
                effective_date: None,
                next_review: Some(day("2026-12-31")),
                retention: None,
                disposal: None,
                location: None,
                mandatory: None,
                requirements: vec!["8.5.1.1".into()],
            },
            UserId(1),
            period().from,
        )
        .unwrap();
        let ev = Evidence::create(
            NewEvidence {
                title: "CAB minutes".into(),
                requirement: "8.5.1.1".into(),
                description: None,
                location: None,
                records: vec![],
                effective_date: day("2026-02-01"),
                valid_days: None,
            },
            period().from,
        )
        .unwrap();
        // Draft document: 10; score 4 counts as 3: 40; one fresh evidence: 40.
        let r = report(
            &[("8.5.1.1", 4)],
            std::slice::from_ref(&policy),
            &[],
            std::slice::from_ref(&ev),
            &[],
        );
        let x = get(&r, "8.5.1.1");
        assert_eq!(
            (x.parts.assessment, x.parts.documents, x.parts.evidence),
            (40.0, 10.0, 40.0)
        );
        assert_eq!(x.readiness_percent, 90.0);
        policy.status = DocumentStatus::Approved;
        let r = report(&[("8.5.1.1", 2)], &[policy], &[], &[ev], &[]);
        assert_eq!(
            get(&r, "8.5.1.1").readiness_percent,
            round2(2.0 / 3.0 * 40.0 + 20.0 + 40.0)
        );

        // Indicators: one fresh and met (1), one fresh and missed (0.5), one stale (0), one empty (ignored).
        let inds = [
            indicator("changes_approved", 10, 10, "2026-03-01T00:00:00Z"),
            indicator("change_success_rate", 10, 5, "2026-03-01T00:00:00Z"),
            indicator("changes_reviewed", 10, 10, "2025-11-01T00:00:00Z"),
            indicator("changes_with_backout_plan", 0, 0, "2026-03-01T00:00:00Z"),
        ];
        let r = report(&[("8.5.1.3", 3)], &[], &inds, &[], &[]);
        let x = get(&r, "8.5.1.3");
        assert_eq!(x.parts.evidence, 20.0);
        assert_eq!(x.parts.documents, 0.0, "8.5.1.3 asks for records");
        assert!(
            x.reasons
                .iter()
                .any(|s| s == "changes_with_backout_plan: no records in the period")
        );
        assert_eq!(x.readiness_percent, 60.0);
    }

    #[test]
    fn nonconformities_cap_and_subtract_and_clauses_roll_up() {
        let inds = [indicator(
            "incidents_resolved_within_target",
            10,
            10,
            "2026-03-01T00:00:00Z",
        )];
        let nc = |major| OpenNonconformity {
            reference: "NC-1".into(),
            requirement: "8.6.1".into(),
            major,
        };
        let r = report(&[("8.6.1", 5)], &[], &inds, &[], &[]);
        assert_eq!(get(&r, "8.6.1").readiness_percent, 80.0);
        let r = report(&[("8.6.1", 5)], &[], &inds, &[], &[nc(true)]);
        assert_eq!(get(&r, "8.6.1").readiness_percent, 50.0);
        assert_eq!(get(&r, "8.6.1").parts.nonconformities, 30.0);
        let r = report(&[("8.6.1", 5)], &[], &inds, &[], &[nc(false), nc(false)]);
        assert_eq!(get(&r, "8.6.1").readiness_percent, 60.0);
        let c86 = r.clauses.iter().find(|c| c.clause == "8.6").unwrap();
        assert_eq!(c86.requirements, 3);
        let sum: f64 = ["8.6.1", "8.6.2", "8.6.3"]
            .iter()
            .map(|c| get(&r, c).readiness_percent)
            .sum();
        assert_eq!(c86.readiness_percent, round2(sum / 3.0));
        let n = r.requirements.len() as f64;
        let all: f64 = r.requirements.iter().map(|x| x.readiness_percent).sum();
        assert_eq!(r.overall_percent, round2(all / n));
    }
}
