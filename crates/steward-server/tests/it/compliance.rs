//! The conformity side over HTTP: scope, self-assessment and gap report, the document register,
//! evidence, live indicators with their records, the readiness report, and the auditor's
//! read-only access to all of it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::error_code;
use crate::on_each_backend;

fn field(v: &Value) -> &str {
    v["error"]["fields"][0]["field"].as_str().unwrap_or("")
}

#[tokio::test]
async fn an_sms_manager_builds_the_evidence_and_the_auditor_reads_it() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let m = &s.manager;

        // Scope: a requirement cannot be excluded; a process left to a supplier is flagged.
        let (st, v) = s
            .post(
                "/api/v1/compliance/scopes",
                m,
                json!({"title": "SMS scope", "statement": "Mail for Acme.", "services": [svc], "exclusions": ["8.7.2 continuity"]}),
            )
            .await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "exclusions"), "{v}");
        let (st, scope) = s
            .post(
                "/api/v1/compliance/scopes",
                m,
                json!({"title": "SMS scope", "statement": "Mail for Acme.", "services": [svc],
                       "other_parties": [{"process": "8.6.1", "party": "Helpdesk Ltd", "entirely": true}]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{scope}");
        let scope_ref = scope["id"].as_str().unwrap().to_string();
        assert_eq!(scope["version"], 1);
        assert!(
            scope["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["clause"] == "8.2.3")
        );
        let (st, v) = s
            .patch(
                &format!("/api/v1/compliance/scopes/{scope_ref}"),
                m,
                json!({"locations": ["Leeds"]}),
            )
            .await;
        assert_eq!((st, v["version"].clone()), (StatusCode::OK, json!(2)));

        // Self-assessment: scores on the 0-5 scale, headings and exclusions refused.
        let asm = s
            .create(
                "/api/v1/compliance/assessments",
                m,
                json!({"title": "Gap analysis", "assessed_on": "2026-01-15"}),
            )
            .await;
        let put = |clause: &str, body: Value| {
            let path = format!("/api/v1/compliance/assessments/{asm}/scores/{clause}");
            async move { s.call(Method::PUT, &path, Some(m), Some(body)).await }
        };
        assert_eq!(put("8.6.1", json!({"score": 2})).await.0, StatusCode::OK);
        assert_eq!(put("4.1", json!({"score": 4})).await.0, StatusCode::OK);
        let (st, v) = put("8.5", json!({"score": 2})).await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "requirement"));
        let (st, v) = put("8.6.2", json!({"score": 3, "applicable": false})).await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "applicable"));
        let (st, v) = put("8.6.2", json!({"score": 9})).await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "score"));
        let (st, v) = put("8.6.2", json!({"score": "three"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (_, v) = s.get(&format!("/api/v1/compliance/assessments/{asm}/scores"), m).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        let (st, v) = s
            .post(
                &format!("/api/v1/compliance/assessments/{asm}/transition"),
                m,
                json!({"to": "completed"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, v) = put("8.6.1", json!({"score": 3})).await;
        assert_eq!((st, error_code(&v)), (StatusCode::CONFLICT, "conflict"));
        let again = s
            .create(
                "/api/v1/compliance/assessments",
                m,
                json!({"title": "Six months on", "assessed_on": "2026-07-15", "baseline": asm}),
            )
            .await;
        let path = format!("/api/v1/compliance/assessments/{again}/scores/8.6.1");
        assert_eq!(
            s.call(Method::PUT, &path, Some(m), Some(json!({"score": 3}))).await.0,
            StatusCode::OK
        );
        let (st, gaps) = s.get(&format!("/api/v1/compliance/assessments/{again}/gaps"), m).await;
        assert_eq!(st, StatusCode::OK, "{gaps}");
        assert_eq!(
            (gaps["baseline"].clone(), gaps["improved"].clone()),
            (json!(asm), json!(1))
        );
        assert!(
            gaps["by_gap"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["requirement"] != "8.6.1" && r["requirement"] != "4.1")
        );
        let (st, _) = s
            .get(
                &format!("/api/v1/compliance/assessments/{again}/gaps?baseline=nonsense"),
                m,
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);

        // Documents: approval needs a review date; the register shows the mandatory set.
        let doc = s
            .create(
                "/api/v1/compliance/documents",
                m,
                json!({"identifier": "CHG-POL", "title": "Change management policy", "document_type": "policy",
                       "mandatory": "change_management_policy", "requirements": ["8.5.1.1"]}),
            )
            .await;
        let (st, v) = s
            .post(
                "/api/v1/compliance/documents",
                m,
                json!({"identifier": "CHG-POL", "title": "Again", "document_type": "policy"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("identifier"), "{v}");
        let go = |to: &str| {
            let path = format!("/api/v1/compliance/documents/{doc}/transition");
            let body = json!({ "to": to });
            async move { s.post(&path, m, body).await }
        };
        assert_eq!(go("in_review").await.0, StatusCode::OK);
        let (st, v) = go("approved").await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "next_review"));
        s.patch(
            &format!("/api/v1/compliance/documents/{doc}"),
            m,
            json!({"next_review": "2099-01-01"}),
        )
        .await;
        let (st, v) = go("approved").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert!(v["approved_by"].is_string() && v["approved_on"].is_string());
        let (_, register) = s.get("/api/v1/compliance/register", m).await;
        let item = |name: &str| {
            register["mandatory"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["item"] == name)
                .unwrap()["state"]
                .clone()
        };
        assert_eq!(item("change_management_policy"), json!("present"));
        assert_eq!(item("information_security_policy"), json!("missing"));
        assert_eq!(item("service_catalogue"), json!("present"), "one live service");

        // Evidence carries its effective date apart from when it was registered.
        let (st, ev) = s
            .post(
                "/api/v1/compliance/evidence",
                m,
                json!({"title": "CAB minutes", "requirement": "8.5.1.1", "effective_date": "2020-01-01"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{ev}");
        assert_ne!(ev["effective_date"], ev["created_at"]);

        // Indicators and the records behind them.
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "Mail down", "service": svc}),
            )
            .await;
        let (st, inds) = s.get("/api/v1/compliance/indicators", &s.auditor).await;
        assert_eq!(st, StatusCode::OK, "{inds}");
        let svc_ind = inds["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "services_with_owner_and_agreement")
            .unwrap();
        assert_eq!(
            (svc_ind["population"].clone(), svc_ind["passing"].clone()),
            (json!(1), json!(0)),
            "no owner, no agreement"
        );
        let (st, recs) = s
            .get(
                "/api/v1/compliance/indicators/services_with_owner_and_agreement/records?passes=false",
                &s.auditor,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{recs}");
        assert_eq!(recs["items"][0]["reference"], json!(svc));
        let (st, _) = s
            .get("/api/v1/compliance/indicators/nonsense/records", &s.auditor)
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, v) = s
            .get(
                "/api/v1/compliance/indicators?from=2026-02-01&to=2026-01-01",
                &s.auditor,
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
        let (st, _) = s.get("/api/v1/compliance/indicators?from=yesterday", &s.auditor).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);

        // Readiness, as the auditor sees it, traced to the records behind it.
        let (st, r) = s.get("/api/v1/compliance/readiness", &s.auditor).await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["assessment"], json!(asm), "the completed assessment counts");
        let req = |clause: &str| {
            r["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["clause"] == clause)
                .unwrap()
                .clone()
        };
        let r8511 = req("8.5.1.1");
        assert_eq!(r8511["documents"][0]["document"], json!(doc));
        assert_eq!(r8511["evidence"][0]["fresh"], json!(false), "effective in 2020: stale");
        assert_eq!(req("8.6.1")["score"], json!(2));
        assert!(r["overall_percent"].as_f64().unwrap() > 0.0);
        assert!(r["method"].as_array().unwrap().len() >= 5);

        // The auditor writes nothing; the requester sees none of it.
        for (path, body) in [
            (
                "/api/v1/compliance/scopes".to_string(),
                json!({"title": "x", "statement": "y"}),
            ),
            (
                "/api/v1/compliance/assessments".to_string(),
                json!({"title": "x", "assessed_on": "2026-01-01"}),
            ),
            (
                "/api/v1/compliance/documents".to_string(),
                json!({"identifier": "x", "title": "x", "document_type": "plan"}),
            ),
            (
                "/api/v1/compliance/evidence".to_string(),
                json!({"title": "x", "requirement": "9.2", "effective_date": "2026-01-01"}),
            ),
            (
                format!("/api/v1/compliance/documents/{doc}/transition"),
                json!({"to": "withdrawn"}),
            ),
        ] {
            let (st, v) = s.post(&path, &s.auditor, body).await;
            assert_eq!((st, error_code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{path}");
        }
        let path = format!("/api/v1/compliance/assessments/{again}/scores/4.1");
        let (st, _) = s
            .call(Method::PUT, &path, Some(&s.auditor), Some(json!({"score": 5})))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .patch(
                &format!("/api/v1/compliance/scopes/{scope_ref}"),
                &s.auditor,
                json!({"title": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        for path in [
            format!("/api/v1/compliance/scopes/{scope_ref}/history"),
            format!("/api/v1/compliance/assessments/{asm}/history"),
            format!("/api/v1/compliance/documents/{doc}/history"),
            "/api/v1/compliance/register".to_string(),
        ] {
            let (st, v) = s.get(&path, &s.auditor).await;
            assert_eq!(st, StatusCode::OK, "{path}: {v}");
        }
        let (_, h) = s
            .get(&format!("/api/v1/compliance/assessments/{asm}/history"), &s.auditor)
            .await;
        assert!(
            h["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "score 8.6.1")
        );
        for path in [
            "/api/v1/compliance/readiness",
            "/api/v1/compliance/indicators",
            "/api/v1/compliance/documents",
        ] {
            let (st, _) = s.get(path, &s.requester_a).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
        }
        let _ = inc;
    });
}

#[tokio::test]
async fn audits_raise_nonconformities_that_close_only_when_their_actions_worked() {
    on_each_backend!(|s| {
        let m = &s.manager;
        let (_, me) = s.get("/api/v1/me", m).await;
        let me = me["user"]["id"].as_str().unwrap().to_string();
        let audit = s
            .create(
                "/api/v1/compliance/audits",
                m,
                json!({"title": "Internal audit", "audit_type": "internal", "lead_auditor": me,
                       "requirements": ["8.6.1"], "planned_start": "2026-04-01", "planned_end": "2026-04-02"}),
            )
            .await;
        let (st, v) = s
            .post("/api/v1/compliance/audits", m, json!({"title": "Stage 1", "audit_type": "stage1", "planned_start": "2026-04-01", "planned_end": "2026-04-02"}))
            .await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "external_auditor"));
        let finding = json!({"audit": audit, "grade": "major_nonconformity", "requirement": "8.6.1", "title": "No major incident reviews"});
        let (st, _) = s.post("/api/v1/compliance/findings", m, finding.clone()).await;
        assert_eq!(st, StatusCode::CONFLICT, "the audit has not started");
        s.post(
            &format!("/api/v1/compliance/audits/{audit}/transition"),
            m,
            json!({"to": "in_progress"}),
        )
        .await;
        let (st, f) = s.post("/api/v1/compliance/findings", m, finding).await;
        assert_eq!(st, StatusCode::CREATED, "{f}");
        let nc = f["nonconformity"].as_str().unwrap().to_string();
        let (_, v) = s
            .get(&format!("/api/v1/compliance/nonconformities/{nc}"), &s.auditor)
            .await;
        assert_eq!(
            (v["severity"].clone(), v["source"].clone()),
            (json!("major"), json!("internal_audit"))
        );

        let (_, r) = s.get("/api/v1/compliance/readiness", &s.auditor).await;
        let r861 = r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["clause"] == "8.6.1")
            .unwrap()
            .clone();
        assert_eq!(r861["open_nonconformities"][0]["reference"], json!(nc));

        let go = |to: &str| {
            let path = format!("/api/v1/compliance/nonconformities/{nc}/transition");
            let body = json!({ "to": to });
            async move { s.post(&path, m, body).await }
        };
        let (st, v) = go("action_planned").await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "owner"));
        s.patch(
            &format!("/api/v1/compliance/nonconformities/{nc}"),
            m,
            json!({"owner": me, "correction": "Reviewed last month's majors", "root_cause": "No one owned the review"}),
        )
        .await;
        assert_eq!(go("action_planned").await.0, StatusCode::OK);
        let (st, v) = go("verification").await;
        assert_eq!((st, error_code(&v)), (StatusCode::CONFLICT, "conflict"));
        let act = s
            .create(
                "/api/v1/compliance/actions",
                m,
                json!({"title": "Name a review owner", "due_date": "2026-05-01", "source": nc}),
            )
            .await;
        assert_eq!(
            go("verification").await.0,
            StatusCode::CONFLICT,
            "the action is still open"
        );
        s.post(
            &format!("/api/v1/compliance/actions/{act}/transition"),
            m,
            json!({"to": "done"}),
        )
        .await;
        assert_eq!(go("verification").await.0, StatusCode::OK);
        let (st, v) = go("closed").await;
        assert_eq!(
            (st, field(&v)),
            (StatusCode::UNPROCESSABLE_ENTITY, "effectiveness_review")
        );
        s.patch(
            &format!("/api/v1/compliance/nonconformities/{nc}"),
            m,
            json!({"effectiveness_review": "Every major since has a review", "effective": true}),
        )
        .await;
        let (st, v) = go("closed").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, acts) = s
            .get(&format!("/api/v1/compliance/actions?source={nc}"), &s.auditor)
            .await;
        assert_eq!(acts["items"].as_array().unwrap().len(), 1);

        // A management review freezes its input pack when held.
        let mr = s
            .create(
                "/api/v1/compliance/management-reviews",
                m,
                json!({"title": "Review", "held_on": "2026-06-01", "period_from": "2026-01-01", "period_to": "2026-06-01"}),
            )
            .await;
        let (st, live) = s
            .get(
                &format!("/api/v1/compliance/management-reviews/{mr}/inputs"),
                &s.auditor,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{live}");
        assert!(live["readiness_percent"].is_number());
        let (st, held) = s
            .post(
                &format!("/api/v1/compliance/management-reviews/{mr}/transition"),
                m,
                json!({"to": "held"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{held}");
        assert!(held["inputs"]["compiled_at"].is_string());
        let (st, v) = s
            .post(
                &format!("/api/v1/compliance/management-reviews/{mr}/transition"),
                m,
                json!({"to": "closed"}),
            )
            .await;
        assert_eq!((st, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "minutes"));

        // A programme comes with its plan; a certificate with its schedule.
        let prg = s
            .create(
                "/api/v1/compliance/programmes",
                m,
                json!({"name": "Certification", "sponsor": me, "start_date": "2026-01-01", "target_date": "2026-10-01"}),
            )
            .await;
        let (_, plan) = s
            .get(&format!("/api/v1/compliance/programmes/{prg}/plan"), &s.auditor)
            .await;
        assert_eq!(plan["items"].as_array().unwrap().len(), 11);
        assert_eq!(plan["items"][0]["step"], json!("communicate_goals"));
        let cert = s
            .create(
                "/api/v1/compliance/certificates",
                m,
                json!({"number": "ITSM 9", "certification_body": "Example Certification Ltd", "scope": "All", "issued_on": "2026-02-01"}),
            )
            .await;
        let (_, sched) = s
            .get(&format!("/api/v1/compliance/certificates/{cert}/schedule"), &s.auditor)
            .await;
        assert_eq!(sched[0]["due"], json!("2027-02-01"));
        assert_eq!(sched[2]["step"], json!("recertification"));
        let (st, _) = s
            .post(
                "/api/v1/compliance/risks",
                m,
                json!({"title": "One data centre", "likelihood": 3, "impact": 7}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, risk) = s
            .post(
                "/api/v1/compliance/risks",
                m,
                json!({"title": "One data centre", "likelihood": 3, "impact": 5}),
            )
            .await;
        assert_eq!(risk["rating"], json!(15));

        // The auditor reads all of it and changes none of it; a requester sees none of it.
        for (path, body) in [
            (
                "/api/v1/compliance/audits".to_string(),
                json!({"title": "x", "audit_type": "internal", "lead_auditor": me, "planned_start": "2026-04-01", "planned_end": "2026-04-02"}),
            ),
            (
                "/api/v1/compliance/findings".to_string(),
                json!({"audit": audit, "grade": "observation", "requirement": "8.6.1", "title": "x"}),
            ),
            (
                "/api/v1/compliance/nonconformities".to_string(),
                json!({"title": "x", "requirement": "8.6.1", "severity": "minor", "source": "other"}),
            ),
            (
                "/api/v1/compliance/actions".to_string(),
                json!({"title": "x", "due_date": "2026-05-01"}),
            ),
            (
                "/api/v1/compliance/management-reviews".to_string(),
                json!({"title": "x", "held_on": "2026-06-01", "period_from": "2026-01-01", "period_to": "2026-06-01"}),
            ),
            (
                "/api/v1/compliance/improvements".to_string(),
                json!({"title": "x", "source": "staff"}),
            ),
            (
                "/api/v1/compliance/risks".to_string(),
                json!({"title": "x", "likelihood": 1, "impact": 1}),
            ),
            (
                "/api/v1/compliance/objectives".to_string(),
                json!({"title": "x", "measure": "y", "target": "z", "due_date": "2026-12-01"}),
            ),
            (
                "/api/v1/compliance/programmes".to_string(),
                json!({"name": "x", "sponsor": me, "start_date": "2026-01-01", "target_date": "2026-10-01"}),
            ),
            (
                "/api/v1/compliance/certificates".to_string(),
                json!({"number": "x", "certification_body": "y", "scope": "z", "issued_on": "2026-02-01"}),
            ),
            (
                format!("/api/v1/compliance/nonconformities/{nc}/transition"),
                json!({"to": "closed"}),
            ),
            (
                format!("/api/v1/compliance/management-reviews/{mr}/transition"),
                json!({"to": "closed"}),
            ),
            (
                format!("/api/v1/compliance/actions/{act}/transition"),
                json!({"to": "open"}),
            ),
        ] {
            let (st, v) = s.post(&path, &s.auditor, body).await;
            assert_eq!(
                (st, error_code(&v)),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{path}: {v}"
            );
        }
        for path in [
            "/api/v1/compliance/audits",
            "/api/v1/compliance/findings",
            "/api/v1/compliance/nonconformities",
            "/api/v1/compliance/actions",
            "/api/v1/compliance/management-reviews",
            "/api/v1/compliance/improvements",
            "/api/v1/compliance/risks?sort=-rating",
            "/api/v1/compliance/objectives",
            "/api/v1/compliance/programmes",
            "/api/v1/compliance/certificates",
        ] {
            let (st, v) = s.get(path, &s.auditor).await;
            assert_eq!(st, StatusCode::OK, "{path}: {v}");
            let (st, _) = s.get(path, &s.requester_a).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
        }
        let (st, _) = s
            .patch(
                &format!("/api/v1/compliance/audits/{audit}"),
                &s.auditor,
                json!({"title": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}
