//! The demo organisation's conformity records: a scope in two versions, an initial gap analysis
//! and a later one against it, the register of documented information (with one document past
//! its review date and one still in review), and registered evidence of different ages.

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

    // An initial gap analysis, completed, and a second one against it five months later.
    let cat = catalogue()?;
    let leaves = assessable(cat);
    let initial = store
        .insert_assessment(
            Assessment::create(
                NewAssessment {
                    title: "Initial gap analysis".into(),
                    assessor: Some(other),
                    assessed_on: day(160),
                    target_score: None,
                    baseline: None,
                    notes: Some("Carried out with the process owners before the project plan was agreed.".into()),
                },
                sms,
                now - Duration::days(160),
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
        let s = score.into_score(cat, &r.clause, other, now - Duration::days(160))?;
        store.set_score(initial.id, s, other, now - Duration::days(160)).await?;
    }
    let initial = step(store, &initial, now - Duration::days(155), Some(other), |a| {
        a.transition(StatusTransition { to: "completed".into() })
    })
    .await?;
    let second = store
        .insert_assessment(
            Assessment::create(
                NewAssessment {
                    title: "Pre-Stage 1 assessment".into(),
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
