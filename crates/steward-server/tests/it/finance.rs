//! Budgets and costs (8.4.1) over HTTP: a budget planned, costs recorded, imported from the
//! ledger and logged as time on an incident, then read back as actual against budget.

use chrono::{Datelike, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn a_budget_set_against_recorded_imported_and_logged_costs() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("ERP").await;
        let year = Utc::now().year();
        let budget = s
            .create(
                "/api/v1/budgets",
                &s.manager,
                json!({"service": svc, "starts_on": format!("{year}-01-01"), "ends_on": format!("{year}-12-31"), "amount": 1_000_000}),
            )
            .await;
        // An agent records costs but never plans them.
        let (st, _) = s
            .post(
                "/api/v1/budgets",
                &s.agent,
                json!({"service": svc, "starts_on": format!("{year}-01-01"), "ends_on": format!("{year}-12-31"), "amount": 1}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let today = Utc::now().date_naive().to_string();
        s.create(
            "/api/v1/costs",
            &s.agent,
            json!({"service": svc, "incurred_on": today, "amount": 250_000, "category": "licence", "description": "ERP seats"}),
        )
        .await;

        // The ledger import is all or none, and names the line at fault.
        for (amount, why) in [(i64::MIN, "the most negative amount"), (0, "zero")] {
            let (st, v) = s
                .post(
                    "/api/v1/costs/import",
                    &s.agent,
                    json!({"costs": [
                        {"service": svc, "incurred_on": today, "amount": 100, "category": "supplier", "description": "ok", "ledger_ref": "GL-1"},
                        {"service": svc, "incurred_on": today, "amount": amount, "category": "asset", "description": "bad"},
                    ]}),
                )
                .await;
            assert_eq!(
                (st, error_code(&v)),
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
                "{why}: {v}"
            );
            assert_eq!(v["error"]["fields"][0]["field"], "costs[1].amount", "{why}: {v}");
        }
        let (_, v) = s.get(&format!("/api/v1/costs?service={svc}"), &s.agent).await;
        assert_eq!(
            v["items"].as_array().unwrap().len(),
            1,
            "a refused import writes nothing: {v}"
        );

        let line = json!({"costs": [
            {"service": svc, "incurred_on": today, "amount": 400_000, "category": "supplier", "description": "Hosting", "ledger_ref": "GL-1"},
        ]});
        let (st, v) = s.post("/api/v1/costs/import", &s.agent, line.clone()).await;
        assert_eq!(
            (
                st,
                v["created"][0]["source"].as_str(),
                v["skipped"].as_array().map(Vec::len)
            ),
            (StatusCode::CREATED, Some("imported"), Some(0)),
            "{v}"
        );
        let (st, v) = s.post("/api/v1/costs/import", &s.agent, line).await;
        assert_eq!(
            (st, v["created"].as_array().map(Vec::len), v["skipped"][0].as_str()),
            (StatusCode::CREATED, Some(0), Some("GL-1")),
            "{v}"
        );

        // Time on an incident is priced at the staff hour rate (EUR 60.00 by default).
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "ERP down", "service": svc, "impact": "high", "urgency": "high"}),
            )
            .await;
        let (st, v) = s
            .post(
                &format!("/api/v1/incidents/{inc}/time"),
                &s.agent,
                json!({"minutes": 90}),
            )
            .await;
        assert_eq!(
            (st, v["amount"].as_i64(), v["category"].as_str()),
            (StatusCode::CREATED, Some(9_000), Some("staff")),
            "{v}"
        );
        let (st, v) = s
            .post(
                &format!("/api/v1/incidents/{inc}/time"),
                &s.agent,
                json!({"minutes": 961}),
            )
            .await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("minutes")),
            "{v}"
        );
        let (st, _) = s
            .post(
                &format!("/api/v1/incidents/{inc}/time"),
                &s.requester_a,
                json!({"minutes": 5}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let period = format!("from={year}-01-01&to={}-01-01", year + 1);
        let (st, v) = s.get(&format!("/api/v1/reports/costs?{period}"), &s.auditor).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let row = &v["services"][0];
        assert_eq!(
            (
                row["total"].as_i64(),
                row["staff"].as_i64(),
                row["minutes"].as_i64(),
                row["incident_cost"].as_i64()
            ),
            (Some(659_000), Some(9_000), Some(90), Some(9_000)),
            "{v}"
        );
        let (st, v) = s.get(&format!("/api/v1/reports/budget?{period}"), &s.auditor).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let line = &v["budgets"][0];
        assert_eq!(line["budget"], budget, "{v}");
        assert_eq!(
            (line["actual"].as_i64(), line["remaining"].as_i64()),
            (Some(659_000), Some(341_000)),
            "{v}"
        );

        // The amount is fixed once the budget is approved.
        let (st, _) = s
            .post(
                &format!("/api/v1/budgets/{budget}/transition"),
                &s.manager,
                json!({"to": "approved"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = s
            .patch(&format!("/api/v1/budgets/{budget}"), &s.manager, json!({"amount": 2}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .get("/api/v1/reports/budget?from=2027-13-01&to=2028-01-01", &s.auditor)
            .await;
        assert_eq!((st, error_code(&v)), (StatusCode::BAD_REQUEST, "bad_query"), "{v}");
    });
}
