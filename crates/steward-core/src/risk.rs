//! The register of risks and opportunities (6.1): to the services and to the system, each with
//! its likelihood and impact on a 1-5 scale, the treatment chosen and its plan (actions in the
//! action register, source `RSK-n`), the owner, the residual rating after treatment and the date
//! of its next review.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{RiskId, ServiceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, named_enum, record};

named_enum! {
    RiskCategory { Risk = "risk", Opportunity = "opportunity" }
}

named_enum! {
    Treatment {
        Mitigate = "mitigate",
        Accept = "accept",
        Transfer = "transfer",
        Avoid = "avoid",
        /// For an opportunity: pursue it.
        Exploit = "exploit",
    }
}

lifecycle! {
    /// identified -> treating -> monitored; closed once it no longer applies.
    RiskStatus {
        Identified = "identified" => [Treating, Monitored, Closed],
        Treating = "treating" => [Monitored, Closed],
        Monitored = "monitored" => [Treating, Closed],
        Closed = "closed" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Risk {
    pub id: RiskId,
    pub title: String,
    pub description: String,
    pub category: RiskCategory,
    /// A risk to information security (8.7.3), treated by the security controls linked to it.
    pub security: bool,
    pub service: Option<ServiceId>,
    pub owner: UserId,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: u8,
    /// 1 (negligible) to 5 (severe).
    pub impact: u8,
    /// likelihood x impact, 1-25.
    pub rating: u8,
    pub treatment: Option<Treatment>,
    pub treatment_plan: String,
    pub residual_likelihood: Option<u8>,
    pub residual_impact: Option<u8>,
    pub status: RiskStatus,
    pub review_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Risk, RecordKind::Risk, RiskId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRisk {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub category: Option<RiskCategory>,
    /// A risk to information security; false by default.
    #[serde(default)]
    pub security: Option<bool>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    /// Defaults to the person recording it.
    #[serde(default)]
    pub owner: Option<UserId>,
    pub likelihood: u8,
    pub impact: u8,
    #[serde(default)]
    pub treatment: Option<Treatment>,
    #[serde(default)]
    pub treatment_plan: Option<String>,
    #[serde(default)]
    pub review_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub security: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub likelihood: Option<u8>,
    #[serde(default)]
    pub impact: Option<u8>,
    #[serde(default, deserialize_with = "nullable")]
    pub treatment: Option<Option<Treatment>>,
    #[serde(default)]
    pub treatment_plan: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub residual_likelihood: Option<Option<u8>>,
    #[serde(default, deserialize_with = "nullable")]
    pub residual_impact: Option<Option<u8>>,
    #[serde(default, deserialize_with = "nullable")]
    pub review_date: Option<Option<NaiveDate>>,
}

impl Risk {
    pub fn create(input: NewRisk, owner: UserId, at: DateTime<Utc>) -> Result<Risk> {
        let mut r = Risk {
            id: RiskId(0),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            category: input.category.unwrap_or(RiskCategory::Risk),
            security: input.security.unwrap_or(false),
            service: input.service,
            owner: input.owner.unwrap_or(owner),
            likelihood: input.likelihood,
            impact: input.impact,
            rating: 0,
            treatment: input.treatment,
            treatment_plan: input.treatment_plan.unwrap_or_default(),
            residual_likelihood: None,
            residual_impact: None,
            status: RiskStatus::Identified,
            review_date: input.review_date,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        r.check(&mut c);
        c.finish()?;
        r.rating = r.likelihood * r.impact;
        Ok(r)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        c.text("treatment_plan", &self.treatment_plan, TEXT_MAX);
        for (field, v) in [
            ("likelihood", Some(self.likelihood)),
            ("impact", Some(self.impact)),
            ("residual_likelihood", self.residual_likelihood),
            ("residual_impact", self.residual_impact),
        ] {
            if v.is_some_and(|v| !(1..=5).contains(&v)) {
                c.fail(field, "must be from 1 to 5");
            }
        }
        let opportunity = self.category == RiskCategory::Opportunity;
        match self.treatment {
            Some(Treatment::Exploit) if !opportunity => c.fail("treatment", "only an opportunity is exploited"),
            Some(Treatment::Mitigate | Treatment::Transfer | Treatment::Avoid) if opportunity => {
                c.fail("treatment", "an opportunity is exploited or accepted")
            }
            _ => {}
        }
    }

    pub fn apply_patch(&mut self, p: RiskPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.security, p.security);
        set(&mut next.service, p.service);
        set(&mut next.owner, p.owner);
        set(&mut next.likelihood, p.likelihood);
        set(&mut next.impact, p.impact);
        set(&mut next.treatment, p.treatment);
        set(&mut next.treatment_plan, p.treatment_plan);
        set(&mut next.residual_likelihood, p.residual_likelihood);
        set(&mut next.residual_impact, p.residual_impact);
        set(&mut next.review_date, p.review_date);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        next.rating = next.likelihood * next.impact;
        *self = next;
        Ok(())
    }

    /// Treating needs a chosen treatment and its plan; monitoring needs the residual rating.
    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut c = Checker::new();
        match to {
            RiskStatus::Treating => {
                if self.treatment.is_none() {
                    c.fail("treatment", "choose a treatment first");
                }
                if self.treatment_plan.trim().is_empty() {
                    c.fail("treatment_plan", "describe how the risk is treated");
                }
            }
            RiskStatus::Monitored if self.residual_likelihood.is_none() || self.residual_impact.is_none() => {
                c.fail("residual_likelihood", "rate the risk as it stands after treatment");
            }
            _ => {}
        }
        c.finish()?;
        self.status = to;
        Ok(())
    }

    /// The rating after treatment, if it has been rated.
    pub fn residual_rating(&self) -> Option<u8> {
        Some(self.residual_likelihood? * self.residual_impact?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use RiskStatus::*;
        assert_table(&[
            (Identified, &[Treating, Monitored, Closed][..]),
            (Treating, &[Monitored, Closed]),
            (Monitored, &[Treating, Closed]),
            (Closed, &[]),
        ]);
    }

    #[test]
    fn ratings_and_treatments() {
        let input = |l, i| NewRisk {
            title: "Single data centre".into(),
            description: None,
            category: None,
            security: None,
            service: None,
            owner: None,
            likelihood: l,
            impact: i,
            treatment: None,
            treatment_plan: None,
            review_date: None,
        };
        let mut r = Risk::create(input(3, 5), UserId(1), Utc::now()).unwrap();
        assert_eq!(r.rating, 15);
        assert!(
            Risk::create(input(0, 6), UserId(1), Utc::now())
                .unwrap_err()
                .to_string()
                .contains("impact")
        );
        assert!(
            r.clone()
                .transition(StatusTransition { to: "treating".into() })
                .is_err()
        );
        r.apply_patch(RiskPatch {
            treatment: Some(Some(Treatment::Mitigate)),
            treatment_plan: Some("Contract a standby site".into()),
            likelihood: Some(2),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.rating, 10);
        r.transition(StatusTransition { to: "treating".into() }).unwrap();
        assert!(
            r.clone()
                .transition(StatusTransition { to: "monitored".into() })
                .is_err()
        );
        r.apply_patch(RiskPatch {
            residual_likelihood: Some(Some(1)),
            residual_impact: Some(Some(4)),
            ..Default::default()
        })
        .unwrap();
        r.transition(StatusTransition { to: "monitored".into() }).unwrap();
        assert_eq!(r.residual_rating(), Some(4));
        assert!(
            r.apply_patch(RiskPatch {
                treatment: Some(Some(Treatment::Exploit)),
                ..Default::default()
            })
            .is_err()
        );
    }
}
