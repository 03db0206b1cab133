//! The demo organisation's conformity records. Its story: a certification programme started
//! two years ago; an initial gap analysis; Stage 1 and Stage 2 audits; a certificate issued ten
//! months ago, with the first surveillance audit two months ahead. Since then: a second
//! assessment against the first, an internal audit whose findings raised a minor nonconformity
//! (closed after an effective correction) and a major one (still open), a management review
//! that was held and whose decisions are actions, and the risk, objective and improvement
//! registers. Also the scope in two versions, the register of documented information (one
//! document past its review date, one still in review) and registered evidence of different ages.

use chrono::{DateTime, Duration, Utc};
use steward_core::assessment::{Assessment, NewAssessment, ScoreInput, assessable};
use steward_core::compliance::catalogue;
use steward_core::document::{Document, DocumentType, MandatoryDocument, NewDocument};
use steward_core::evidence::{Evidence, NewEvidence};
use steward_core::id::{OrganisationId, ServiceId, UserId};
use steward_core::service::StatusTransition;
use steward_core::sms_scope::{NewSmsScope, OtherParty, SmsScope, SmsScopePatch};
use steward_store::Store;

use super::{Rng, step};

/// (identifier, title, type, mandatory item, requirements, state) — state: approved, overdue,
/// in_review or draft.
type DocumentSpec = (
    &'static str,
    &'static str,
    DocumentType,
    Option<MandatoryDocument>,
    &'static [&'static str],
    &'static str,
);

const DOCUMENTS: &[DocumentSpec] = &[
    (
        "SMS-POL-001",
        "Service management policy",
        DocumentType::Policy,
        Some(MandatoryDocument::ServiceManagementPolicy),
        &["5.2.1", "5.2.2", "5.1"],
        "approved",
    ),
    (
        "SMS-OBJ-001",
        "Service management objectives 2026",
        DocumentType::Plan,
        Some(MandatoryDocument::ServiceManagementObjectives),
        &["6.2.1", "6.2.2"],
        "approved",
    ),
    (
        "SMS-PLN-001",
        "Service management plan",
        DocumentType::Plan,
        Some(MandatoryDocument::ServiceManagementPlan),
        &["6.3", "4.4", "7.1"],
        "approved",
    ),
    (
        "SMS-RSK-001",
        "Risk management procedure and register",
        DocumentType::Procedure,
        None,
        &["6.1"],
        "approved",
    ),
    (
        "SMS-PRC-001",
        "Process manual of the service management system",
        DocumentType::Process,
        Some(MandatoryDocument::Processes),
        &["4.4", "8.1", "8.6.1", "8.6.2", "8.6.3"],
        "approved",
    ),
    (
        "SMS-DOC-001",
        "Control of documented information",
        DocumentType::Procedure,
        Some(MandatoryDocument::Procedures),
        &["7.5.1", "7.5.2", "7.5.3", "7.5.4"],
        "approved",
    ),
    (
        "CHG-POL-001",
        "Change management policy",
        DocumentType::Policy,
        Some(MandatoryDocument::ChangeManagementPolicy),
        &["8.5.1.1", "8.5.1.2", "8.5.1.3"],
        "approved",
    ),
    (
        "REL-PRC-001",
        "Release and deployment procedure",
        DocumentType::Procedure,
        None,
        &["8.5.3", "8.5.2.3"],
        "approved",
    ),
    (
        "SEC-POL-001",
        "Information security policy",
        DocumentType::Policy,
        Some(MandatoryDocument::InformationSecurityPolicy),
        &["8.7.3.1"],
        "overdue",
    ),
    (
        "BCP-PLN-001",
        "Service continuity plan",
        DocumentType::Plan,
        Some(MandatoryDocument::ServiceContinuityPlan),
        &["8.7.2"],
        "in_review",
    ),
    (
        "SVC-REQ-001",
        "Service requirements and design standards",
        DocumentType::Other,
        Some(MandatoryDocument::ServiceRequirements),
        &["8.2.2", "8.5.2.2"],
        "approved",
    ),
    (
        "SUP-CON-001",
        "Contract register for external suppliers",
        DocumentType::Agreement,
        Some(MandatoryDocument::SupplierContracts),
        &["8.3.4.1"],
        "draft",
    ),
    (
        "CAP-PLN-001",
        "Capacity plan",
        DocumentType::Plan,
        None,
        &["8.4.3"],
        "approved",
    ),
    (
        "AVL-PLN-001",
        "Availability requirements and targets",
        DocumentType::Plan,
        None,
        &["8.7.1"],
        "approved",
    ),
    (
        "CMDB-PRC-01",
        "Configuration management procedure",
        DocumentType::Procedure,
        None,
        &["8.2.6", "8.2.5"],
        "approved",
    ),
    (
        "HR-COMP-001",
        "Competence and training records",
        DocumentType::Record,
        None,
        &["7.2"],
        "approved",
    ),
];

/// (title, requirement, days before now it speaks for, days valid)
const EVIDENCE: &[(&str, &str, i64, i64)] = &[
    ("Context and issues analysis", "4.1", 200, 365),
    ("Register of interested parties", "4.2", 200, 365),
    ("Top management kick-off minutes", "5.1", 170, 365),
    ("Roles and responsibilities matrix", "5.3", 160, 365),
    ("Awareness session attendance", "7.3", 90, 365),
    ("Communication plan", "7.4", 150, 365),
    ("Knowledge base review", "7.6", 80, 365),
    ("Budget versus actuals, third quarter", "8.4.1", 50, 180),
    ("Demand forecast 2026", "8.4.2", 120, 365),
    ("Supplier performance review", "8.3.4.1", 70, 365),
    ("Customer service review minutes", "8.3.2", 40, 365),
    ("Service catalogue review", "8.2.4", 60, 365),
    ("Continuity test report", "8.7.2", 420, 365),
    ("Access review of privileged accounts", "8.7.3.2", 30, 180),
    ("Monthly service report", "9.4", 20, 90),
    ("Measurement and evaluation summary", "9.1", 35, 180),
];

pub(super) async fn seed(
    store: &Store,
    rng: &mut Rng,
    now: DateTime<Utc>,
    managers: &[UserId],
    services: &[ServiceId],
    customers: &[OrganisationId],
) -> anyhow::Result<()> {
    let sms = managers
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the demo needs a manager"))?;
    let other = managers.get(1).copied().unwrap_or(sms);
    let day = |d: i64| (now - Duration::days(d)).date_naive();

    let scope = SmsScope::create(
        NewSmsScope {
            title: "Scope of the service management system".into(),
            statement: "The service management system of IT Services covers the design, transition, delivery and improvement of the services in the catalogue below, delivered to the listed customers from the Leeds head office and the Manchester data centre.".into(),
            services: services.to_vec(),
            customers: customers.to_vec(),
            organisational_units: vec!["IT Operations".into(), "Service Desk".into(), "Infrastructure".into()],
            locations: vec!["Leeds head office".into()],
            exclusions: vec!["Facilities management and building services".into()],
            other_parties: vec![OtherParty {
                process: "8.7.2".into(),
                party: "Northern Recovery Ltd (standby data centre)".into(),
                entirely: false,
            }],
            approved_by: Some(sms),
            approved_on: Some(day(180)),
        },
        now - Duration::days(180),
    )?;
    let scope = store.insert(scope, Some(sms)).await?;
    step(store, &scope, now - Duration::days(100), Some(sms), |s| {
        s.apply_patch(SmsScopePatch {
            locations: Some(vec!["Leeds head office".into(), "Manchester data centre".into()]),
            approved_by: Some(Some(sms)),
            approved_on: Some(Some(day(100))),
            ..Default::default()
        })
    })
    .await?;

    // An initial gap analysis before certification, completed, and a second one against it.
    let cat = catalogue()?;
    let leaves = assessable(cat);
    let initial = store
        .insert_assessment(
            Assessment::create(
                NewAssessment {
                    title: "Initial gap analysis".into(),
                    assessor: Some(other),
                    assessed_on: day(520),
                    target_score: None,
                    baseline: None,
                    notes: Some("Carried out with the process owners before the project plan was agreed.".into()),
                },
                sms,
                now - Duration::days(520),
            )?,
            sms,
        )
        .await?;
    for r in &leaves {
        let score = ScoreInput {
            score: rng.below(3) as i64,
            owner: Some(if rng.chance(50) { sms } else { other }),
            notes: None,
            target_date: Some(day(-60)),
            applicable: None,
        };
        let s = score.into_score(cat, &r.clause, other, now - Duration::days(520))?;
        store.set_score(initial.id, s, other, now - Duration::days(520)).await?;
    }
    let initial = step(store, &initial, now - Duration::days(515), Some(other), |a| {
        a.transition(StatusTransition { to: "completed".into() })
    })
    .await?;
    let second = store
        .insert_assessment(
            Assessment::create(
                NewAssessment {
                    title: "Assessment before the first surveillance audit".into(),
                    assessor: Some(other),
                    assessed_on: day(10),
                    target_score: None,
                    baseline: Some(initial.id),
                    notes: Some("Progress since the initial gap analysis.".into()),
                },
                sms,
                now - Duration::days(12),
            )?,
            sms,
        )
        .await?;
    for r in &leaves {
        let base = 2 + rng.below(3) as i64;
        // Continuity and supplier management are the known weak spots.
        let weak = r.clause.starts_with("8.7.2") || r.clause.starts_with("8.3.4");
        let score = ScoreInput {
            score: if weak { 1 } else { base },
            owner: Some(if rng.chance(50) { sms } else { other }),
            notes: weak.then(|| "Plan not yet tested; supplier contracts still being collected.".to_string()),
            target_date: Some(day(-45)),
            applicable: None,
        };
        let s = score.into_score(cat, &r.clause, other, now - Duration::days(10))?;
        store.set_score(second.id, s, other, now - Duration::days(10)).await?;
    }
    step(store, &second, now - Duration::days(9), Some(other), |a| {
        a.transition(StatusTransition { to: "completed".into() })
    })
    .await?;

    for (identifier, title, document_type, mandatory, requirements, state) in DOCUMENTS {
        let overdue = *state == "overdue";
        let input = NewDocument {
            identifier: (*identifier).into(),
            title: (*title).into(),
            document_type: *document_type,
            version: Some("1.0".into()),
            owner: Some(if rng.chance(50) { sms } else { other }),
            effective_date: None,
            next_review: Some(if overdue {
                day(30)
            } else {
                day(-200 - rng.below(150) as i64)
            }),
            retention: Some("Three years after it is superseded".into()),
            disposal: Some("Archived, then securely deleted".into()),
            location: Some(format!(
                "https://intranet.example.com/sms/{}",
                identifier.to_lowercase()
            )),
            mandatory: *mandatory,
            requirements: requirements.iter().map(|r| r.to_string()).collect(),
        };
        let written = now - Duration::days(if overdue { 420 } else { 150 });
        let doc = store.insert(Document::create(input, sms, written)?, Some(sms)).await?;
        if *state == "draft" {
            continue;
        }
        let doc = step(store, &doc, written + Duration::days(5), Some(other), |d| {
            d.transition(
                StatusTransition { to: "in_review".into() },
                other,
                (written + Duration::days(5)).date_naive(),
            )
        })
        .await?;
        if *state == "in_review" {
            continue;
        }
        let approved = written + Duration::days(10);
        step(store, &doc, approved, Some(sms), |d| {
            d.transition(StatusTransition { to: "approved".into() }, sms, approved.date_naive())
        })
        .await?;
    }

    for (title, requirement, days_ago, valid) in EVIDENCE {
        let e = Evidence::create(
            NewEvidence {
                title: (*title).into(),
                requirement: (*requirement).into(),
                description: None,
                location: Some(format!(
                    "https://intranet.example.com/sms/evidence/{}",
                    requirement.replace('.', "-")
                )),
                records: vec![],
                effective_date: day(*days_ago),
                valid_days: Some(*valid),
            },
            now - Duration::days((*days_ago - 5).max(1)),
        )?;
        store.insert(e, Some(sms)).await?;
    }
    Ok(())
}

/// The audit cycle and the registers: programme and certificate, audits and findings,
/// nonconformities with their actions, a management review, risks, objectives, improvements.
pub(super) async fn seed_cycle(
    store: &Store,
    now: DateTime<Utc>,
    managers: &[UserId],
    audited_team: steward_core::id::TeamId,
    changes: &[String],
) -> anyhow::Result<()> {
    use steward_core::action::{Action, ActionPatch, NewAction};
    use steward_core::audit::{Audit, AuditPatch, Finding, FindingGrade, NewAudit, NewFinding};
    use steward_core::certification::{BoardMember, Certificate, NewCertificate, NewProgramme, Programme};
    use steward_core::improvement::{Improvement, ImprovementPatch, ImprovementSource, NewImprovement};
    use steward_core::management_review::{ManagementReview, ManagementReviewPatch, NewManagementReview};
    use steward_core::nonconformity::{Nonconformity, NonconformityPatch};
    use steward_core::objective::{NewObjective, Objective};
    use steward_core::risk::{NewRisk, Risk, RiskCategory, RiskPatch, Treatment};

    let sms = managers
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the demo needs a manager"))?;
    let other = managers.get(1).copied().unwrap_or(sms);
    let day = |d: i64| (now - Duration::days(d)).date_naive();
    let at = |d: i64| now - Duration::days(d);
    let to = |s: &str| StatusTransition { to: s.into() };
    let body = "Example Certification Ltd";

    // The programme and its plan; every step up to Stage 2 is done.
    let programme = Programme::create(
        NewProgramme {
            name: "ISO/IEC 20000-1 certification of IT Services".into(),
            goals: Some(
                "Show customers that our services are run to an international standard, and keep improving them."
                    .into(),
            ),
            sponsor: other,
            manager: Some(sms),
            board: vec![
                BoardMember {
                    user: other,
                    role: "sponsor (head of IT)".into(),
                },
                BoardMember {
                    user: sms,
                    role: "SMS manager".into(),
                },
            ],
            certification_body: Some(body.into()),
            external_adviser: Some("Northgate Service Consulting".into()),
            start_date: day(700),
            target_date: day(300),
        },
        sms,
        at(700),
    )?;
    let (_, tasks) = store.insert_programme(programme, sms).await?;
    for t in tasks.iter().filter(|t| t.due_date < day(299)) {
        step(
            store,
            t,
            t.created_at + Duration::days((t.due_date - day(700)).num_days()),
            Some(sms),
            |a| a.transition(to("done"), t.due_date),
        )
        .await?;
    }

    // Stage 1 and Stage 2 by the certification body, then the certificate.
    let external = |title: &str, kind, start: i64| NewAudit {
        title: title.into(),
        audit_type: kind,
        scope: Some("The whole service management system".into()),
        requirements: vec![],
        audited_teams: vec![],
        lead_auditor: None,
        auditors: vec![],
        external_auditor: Some(format!("{body} (lead auditor J. Marsh)")),
        certificate: None,
        planned_start: day(start),
        planned_end: day(start - 1),
    };
    for (title, kind, start, summary) in [
        (
            "Stage 1 audit",
            steward_core::audit::AuditType::Stage1,
            340,
            "Documentation and readiness adequate; proceed to Stage 2.",
        ),
        (
            "Stage 2 audit",
            steward_core::audit::AuditType::Stage2,
            302,
            "Recommended for certification.",
        ),
    ] {
        let a = store
            .insert(Audit::create(external(title, kind, start), at(start + 30))?, Some(sms))
            .await?;
        let a = step(store, &a, at(start), Some(sms), |a| {
            a.transition(to("in_progress"), day(start))
        })
        .await?;
        let a = step(store, &a, at(start - 1), Some(sms), |a| {
            a.apply_patch(AuditPatch {
                summary: Some(summary.into()),
                ..Default::default()
            })
        })
        .await?;
        step(store, &a, at(start - 1), Some(sms), |a| {
            a.transition(to("completed"), day(start - 1))
        })
        .await?;
    }
    let cert = store
        .insert(
            Certificate::create(
                NewCertificate {
                    number: "ITSM 712345".into(),
                    certification_body: body.into(),
                    scope: "The design, transition, delivery and improvement of IT services to the customers of IT Services, from Leeds and Manchester.".into(),
                    issued_on: day(300),
                    expires_on: None,
                    owner: Some(sms),
                },
                sms,
                at(298),
            )?,
            Some(sms),
        )
        .await?;
    let mut surveillance = external(
        "First surveillance audit",
        steward_core::audit::AuditType::Surveillance,
        -65,
    );
    surveillance.certificate = Some(cert.id);
    store.insert(Audit::create(surveillance, at(20))?, Some(sms)).await?;

    // The internal audit of the service desk's change and incident work.
    let audit = store
        .insert(
            Audit::create(
                NewAudit {
                    title: "Internal audit: change, incident and continuity".into(),
                    audit_type: steward_core::audit::AuditType::Internal,
                    scope: Some("Change management, incident management and service continuity".into()),
                    requirements: vec!["8.5.1.3".into(), "8.6.1".into(), "8.7.2".into(), "8.2.6".into()],
                    audited_teams: vec![audited_team],
                    lead_auditor: Some(other),
                    auditors: vec![],
                    external_auditor: None,
                    certificate: None,
                    planned_start: day(35),
                    planned_end: day(33),
                },
                at(60),
            )?,
            Some(sms),
        )
        .await?;
    let audit = step(store, &audit, at(35), Some(other), |a| {
        a.transition(to("in_progress"), day(35))
    })
    .await?;
    let sample: Vec<String> = changes.iter().take(2).cloned().collect();
    let mut raised = Vec::new();
    for (grade, requirement, title, records) in [
        (
            FindingGrade::MinorNonconformity,
            "8.5.1.3",
            "Changes closed without a post-implementation review",
            sample,
        ),
        (
            FindingGrade::MajorNonconformity,
            "8.7.2",
            "The service continuity plan has not been tested since it was written",
            vec![],
        ),
        (
            FindingGrade::Observation,
            "8.6.1",
            "Major incident reviews are held but their minutes are not linked to the incident",
            vec![],
        ),
        (
            FindingGrade::OpportunityForImprovement,
            "8.2.6",
            "Verify configuration items from discovery data instead of by hand",
            vec![],
        ),
    ] {
        let f = Finding::create(
            NewFinding {
                audit: audit.id,
                grade,
                requirement: requirement.into(),
                title: title.into(),
                description: None,
                records,
                raised_on: Some(day(34)),
            },
            at(34),
        )?;
        raised.push(store.record_finding(f, Some(sms), other).await?);
    }
    let audit = step(store, &audit, at(33), Some(other), |a| {
        a.apply_patch(AuditPatch {
            summary: Some(
                "Incident and change management are effective on the whole; continuity planning is the weak point."
                    .into(),
            ),
            ..Default::default()
        })
    })
    .await?;
    step(store, &audit, at(33), Some(other), |a| {
        a.transition(to("completed"), day(33))
    })
    .await?;

    // The minor nonconformity is corrected, its action done and checked; the major one is open.
    for f in &raised {
        let Some(nc_id) = f.nonconformity else { continue };
        let nc: Nonconformity = store
            .get(nc_id.0)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{nc_id} went missing"))?;
        let major = f.grade == FindingGrade::MajorNonconformity;
        let nc = step(store, &nc, at(30), Some(sms), |n| {
            n.apply_patch(NonconformityPatch {
                correction: Some(Some(
                    if major {
                        "Scheduled a fail-over test of the e-mail service"
                    } else {
                        "Reviewed the two changes and recorded their reviews"
                    }
                    .into(),
                )),
                root_cause: Some(Some(
                    if major {
                        "No owner for continuity testing after the reorganisation"
                    } else {
                        "The change form let a change close without review notes"
                    }
                    .into(),
                )),
                ..Default::default()
            })
        })
        .await?;
        let nc = step(store, &nc, at(29), Some(sms), |n| {
            n.transition(to("action_planned"), sms, day(29))
        })
        .await?;
        let action = store
            .insert(
                Action::create(
                    NewAction {
                        title: if major {
                            "Test the continuity plan for every critical service"
                        } else {
                            "Require review notes before a change closes"
                        }
                        .into(),
                        description: None,
                        owner: Some(if major { other } else { sms }),
                        due_date: if major { day(-25) } else { day(15) },
                        source: Some(nc.id.to_string()),
                        step: None,
                    },
                    sms,
                    at(29),
                )?,
                Some(sms),
            )
            .await?;
        if major {
            continue;
        }
        let action = step(store, &action, at(18), Some(sms), |a| {
            a.apply_patch(ActionPatch {
                outcome: Some(Some(
                    "The form now refuses to close a change without review notes.".into(),
                )),
                ..Default::default()
            })
        })
        .await?;
        step(store, &action, at(18), Some(sms), |a| a.transition(to("done"), day(18))).await?;
        let nc = step(store, &nc, at(17), Some(sms), |n| {
            n.transition(to("verification"), sms, day(17))
        })
        .await?;
        let nc = step(store, &nc, at(5), Some(other), |n| {
            n.apply_patch(NonconformityPatch {
                effectiveness_review: Some(Some(
                    "Sampled the 40 changes closed since: every one has review notes.".into(),
                )),
                effective: Some(Some(true)),
                ..Default::default()
            })
        })
        .await?;
        step(store, &nc, at(5), Some(other), |n| {
            n.transition(to("closed"), other, day(5))
        })
        .await?;
    }
    // The opportunity for improvement is taken up.
    for f in &raised {
        let Some(id) = f.improvement else { continue };
        let imp: Improvement = store
            .get(id.0)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{id} went missing"))?;
        let imp = step(store, &imp, at(28), Some(sms), |i| {
            i.apply_patch(ImprovementPatch {
                owner: Some(Some(sms)),
                expected_benefit: Some("Half the effort of verification, and no item left unverified".into()),
                target_date: Some(Some(day(-90))),
                ..Default::default()
            })
        })
        .await?;
        step(store, &imp, at(27), Some(other), |i| i.transition(to("approved"))).await?;
    }
    for (title, source) in [
        ("Self-service password reset in the portal", ImprovementSource::Incident),
        (
            "Publish service availability on the intranet",
            ImprovementSource::Customer,
        ),
    ] {
        let i = Improvement::create(
            NewImprovement {
                title: title.into(),
                description: None,
                source,
                service: None,
                owner: None,
                expected_benefit: None,
                target_date: None,
            },
            None,
            at(12),
        )?;
        store.insert(i, Some(sms)).await?;
    }

    // Risks and opportunities.
    for (title, category, l, i, treatment, plan, residual) in [
        (
            "Single data centre hosts every production service",
            RiskCategory::Risk,
            3,
            5,
            Some(Treatment::Mitigate),
            "Contract a standby site and test fail-over yearly",
            None,
        ),
        (
            "Key-person dependency in the network team",
            RiskCategory::Risk,
            4,
            3,
            Some(Treatment::Mitigate),
            "Cross-train two engineers; document the core network",
            Some((2, 3)),
        ),
        (
            "The e-mail platform's vendor ends support next year",
            RiskCategory::Risk,
            2,
            4,
            Some(Treatment::Transfer),
            "Move to the vendor's hosted service under contract",
            None,
        ),
        (
            "Automating request fulfilment frees a fifth of desk time",
            RiskCategory::Opportunity,
            3,
            4,
            Some(Treatment::Exploit),
            "Automate the five most common requests",
            None,
        ),
    ] {
        let r = store
            .insert(
                Risk::create(
                    NewRisk {
                        title: title.into(),
                        description: None,
                        category: Some(category),
                        security: None,
                        service: None,
                        owner: Some(if l > 2 { sms } else { other }),
                        likelihood: l,
                        impact: i,
                        treatment,
                        treatment_plan: Some(plan.into()),
                        review_date: Some(day(-120)),
                    },
                    sms,
                    at(200),
                )?,
                Some(sms),
            )
            .await?;
        let r = step(store, &r, at(190), Some(sms), |r| r.transition(to("treating"))).await?;
        if let Some((rl, ri)) = residual {
            let r = step(store, &r, at(40), Some(sms), |r| {
                r.apply_patch(RiskPatch {
                    residual_likelihood: Some(Some(rl)),
                    residual_impact: Some(Some(ri)),
                    ..Default::default()
                })
            })
            .await?;
            step(store, &r, at(40), Some(sms), |r| r.transition(to("monitored"))).await?;
        }
    }

    // Objectives, two measured by live indicators.
    for (title, measure, indicator, target_percent, target) in [
        (
            "Resolve incidents within their targets",
            "Share of incidents resolved within the service level target",
            Some("incidents_resolved_within_target"),
            Some(90),
            None,
        ),
        (
            "Every change approved before it is made",
            "Share of implemented changes that were approved",
            Some("changes_approved"),
            Some(100),
            None,
        ),
        (
            "Review every customer's service twice a year",
            "Customer service reviews held",
            None,
            None,
            Some("Two reviews per customer per year"),
        ),
    ] {
        let o = Objective::create(
            NewObjective {
                title: title.into(),
                measure: measure.into(),
                indicator: indicator.map(String::from),
                target_percent,
                target: target.map(String::from),
                owner: Some(sms),
                due_date: day(-200),
                plan: Some(
                    "Owner: the SMS manager. Reported monthly in the service report; judged at each management review."
                        .into(),
                ),
            },
            sms,
            at(250),
        )?;
        store.insert(o, Some(sms)).await?;
    }

    // The management review: held with its frozen input pack, minutes and decisions as actions.
    let review = store
        .insert(
            ManagementReview::create(
                NewManagementReview {
                    title: "Management review, third quarter".into(),
                    held_on: day(20),
                    period_from: day(110),
                    period_to: day(20),
                    chair: Some(other),
                    attendees: vec![sms, other],
                },
                sms,
                at(45),
            )?,
            Some(sms),
        )
        .await?;
    let inputs = serde_json::to_value(store.review_inputs(&review, at(20)).await?)?;
    let review = step(store, &review, at(20), Some(other), |r| {
        r.transition(to("held"), || inputs)
    })
    .await?;
    let decisions = [
        "Test the continuity plan before the surveillance audit",
        "Fund the self-service password reset",
    ];
    let review = step(store, &review, at(19), Some(other), |r| {
        r.apply_patch(ManagementReviewPatch {
            minutes: Some("Service levels met their targets; the audit's major nonconformity on continuity was discussed; budgets for automation agreed.".into()),
            decisions: Some(decisions.iter().map(|d| d.to_string()).collect()),
            ..Default::default()
        })
    })
    .await?;
    for (n, d) in decisions.iter().enumerate() {
        let a = Action::create(
            NewAction {
                title: (*d).into(),
                description: None,
                owner: Some(if n == 0 { other } else { sms }),
                due_date: day(-40),
                source: Some(review.id.to_string()),
                step: None,
            },
            sms,
            at(19),
        )?;
        store.insert(a, Some(sms)).await?;
    }
    step(store, &review, at(18), Some(other), |r| {
        r.transition(to("closed"), || serde_json::Value::Null)
    })
    .await?;
    Ok(())
}
