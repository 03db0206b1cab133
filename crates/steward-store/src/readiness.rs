//! Gathers what the readiness report is computed from, in a handful of statements whatever the
//! number of records: the latest assessment's scores, the register, the live record counts,
//! every indicator's aggregate, the evidence in date, the open nonconformities and the scope in
//! force.

use std::collections::HashMap;

use chrono::{DateTime, Days, Utc};
use steward_core::Result;
use steward_core::compliance::catalogue;
use steward_core::indicator::{INDICATORS, Indicator, Period};
use steward_core::readiness::{Inputs, ReadinessReport, readiness};

use crate::Store;

impl Store {
    /// Every indicator's value over `period`, computed now.
    pub async fn indicators(&self, period: Period, now: DateTime<Utc>) -> Result<Vec<Indicator>> {
        let counts = self.indicator_counts(period).await?;
        Ok(INDICATORS
            .iter()
            .map(|d| Indicator::from_counts(*d, period, counts.get(d.id).copied().unwrap_or_default(), now))
            .collect())
    }

    /// The readiness report as of `now`, its live evidence taken over `period`.
    pub async fn readiness(&self, period: Period, now: DateTime<Utc>) -> Result<ReadinessReport> {
        let indicators = self.indicators(period, now).await?;
        self.readiness_with(period, now, &indicators).await
    }

    /// The readiness report from indicators already computed for `period`.
    pub(crate) async fn readiness_with(
        &self,
        period: Period,
        now: DateTime<Utc>,
        indicators: &[Indicator],
    ) -> Result<ReadinessReport> {
        let cat = catalogue()?;
        let today = now.date_naive();
        let assessment = self.latest_assessment().await?;
        let scores: HashMap<String, u8> = match &assessment {
            Some(a) => self
                .scores(a.id)
                .await?
                .into_iter()
                .map(|s| (s.requirement, s.score))
                .collect(),
            None => HashMap::new(),
        };
        let (documents, mandatory) = self.register_check(today).await?;
        let since = today.checked_sub_days(Days::new(3650)).unwrap_or(today);
        let evidence = self.evidence_since(since).await?;
        let nonconformities = self.open_nonconformities().await?;
        let scope_warnings = self.current_scope().await?.map(|s| s.warnings()).unwrap_or_else(|| {
            vec![steward_core::sms_scope::ScopeWarning {
                clause: "4.3".into(),
                message: "no scope statement is recorded".into(),
            }]
        });
        Ok(readiness(Inputs {
            catalogue: cat,
            generated_at: now,
            today,
            period,
            assessment: assessment.map(|a| a.id),
            scores: &scores,
            documents: &documents,
            mandatory,
            indicators,
            evidence: &evidence,
            nonconformities: &nonconformities,
            scope_warnings,
        }))
    }
}
