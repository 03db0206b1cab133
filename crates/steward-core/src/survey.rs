//! Satisfaction surveys (8.3.2): a question put to one customer — how satisfied they are, from 1
//! (not at all) to 5 (fully), and why — either when a ticket of theirs is resolved or in a
//! periodic round on a service. Each is sent, then answered once; the results are read per
//! service.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{IncidentId, OrganisationId, RequestId, ServiceId, SurveyId, UserId};
use crate::record::RecordKind;
use crate::validate::{Checker, TEXT_MAX};
use crate::{named_enum, record};

named_enum! {
    /// Why the survey was sent.
    SurveyKind {
        /// A ticket of the recipient's was resolved.
        Ticket = "ticket",
        /// A periodic round on a service.
        Periodic = "periodic",
    }
}

named_enum! {
    SurveyStatus { Sent = "sent", Answered = "answered" }
}

/// The lowest score that counts as satisfied.
pub const SATISFIED_FROM: u8 = 4;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Survey {
    pub id: SurveyId,
    pub kind: SurveyKind,
    /// Who is asked: a customer.
    pub recipient: UserId,
    pub organisation: Option<OrganisationId>,
    /// The service it asks about.
    pub service: Option<ServiceId>,
    /// The resolved ticket it asks about, for a ticket survey.
    pub incident: Option<IncidentId>,
    pub request: Option<RequestId>,
    pub status: SurveyStatus,
    /// 1 (not at all satisfied) to 5 (fully satisfied).
    pub score: Option<u8>,
    pub comment: String,
    pub sent_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Survey, RecordKind::Survey, SurveyId, |r| r.organisation);

/// What the recipient's organisation and the ticket give a survey.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Subject {
    Incident(IncidentId),
    Request(RequestId),
    /// A periodic round on a service.
    Service,
}

/// The body of `POST /api/v1/surveys/rounds`: a periodic round on a service, one survey to each
/// active customer of the organisations named (every customer organisation if none).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyRound {
    pub service: ServiceId,
    #[serde(default)]
    pub organisations: Vec<OrganisationId>,
}

/// How many organisations one round may name.
const ROUND_ORGANISATIONS_MAX: usize = 500;

impl SurveyRound {
    pub fn validate(&self) -> Result<()> {
        if self.organisations.len() > ROUND_ORGANISATIONS_MAX {
            return Err(Error::invalid(
                "organisations",
                format!(
                    "at most {ROUND_ORGANISATIONS_MAX} organisations in one round; leave it empty to ask every customer"
                ),
            ));
        }
        Ok(())
    }
}

/// The body of `POST /api/v1/surveys/{ref}/answer`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    /// Required: 1 to 5.
    #[serde(default)]
    pub score: Option<u8>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl Survey {
    pub fn send(
        recipient: UserId,
        organisation: Option<OrganisationId>,
        service: Option<ServiceId>,
        subject: Subject,
        at: DateTime<Utc>,
    ) -> Survey {
        let (kind, incident, request) = match subject {
            Subject::Incident(i) => (SurveyKind::Ticket, Some(i), None),
            Subject::Request(r) => (SurveyKind::Ticket, None, Some(r)),
            Subject::Service => (SurveyKind::Periodic, None, None),
        };
        Survey {
            id: SurveyId(0),
            kind,
            recipient,
            organisation,
            service,
            incident,
            request,
            status: SurveyStatus::Sent,
            score: None,
            comment: String::new(),
            sent_at: at,
            answered_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// Records the answer, once.
    pub fn answer(&mut self, a: SurveyAnswer, now: DateTime<Utc>) -> Result<()> {
        if self.status == SurveyStatus::Answered {
            return Err(Error::Conflict(format!("{} was already answered", self.id)));
        }
        let comment = a.comment.unwrap_or_default().trim().to_string();
        let mut c = Checker::new();
        match a.score {
            None => c.fail(
                "score",
                "give a score from 1 (not at all satisfied) to 5 (fully satisfied)",
            ),
            Some(s) if !(1..=5).contains(&s) => {
                c.fail("score", "must be from 1 (not at all satisfied) to 5 (fully satisfied)")
            }
            Some(_) => {}
        }
        c.text("comment", &comment, TEXT_MAX);
        c.finish()?;
        self.score = a.score;
        self.comment = comment;
        self.status = SurveyStatus::Answered;
        self.answered_at = Some(now);
        Ok(())
    }
}

/// Only the person asked answers a survey, in their own words.
pub fn authorize_answer(actor: &crate::access::Actor, survey: &Survey) -> Result<()> {
    if actor.user == survey.recipient {
        Ok(())
    } else {
        Err(Error::Forbidden("only the person asked may answer a survey".into()))
    }
}

/// One service's satisfaction over a period: surveys sent in it, those answered, the response
/// rate, the mean score and how many answers were satisfied (4 or 5) or not (1 or 2).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Satisfaction {
    pub service: Option<ServiceId>,
    pub service_name: String,
    pub sent: i64,
    pub answered: i64,
    pub response_percent: Option<f64>,
    pub mean_score: Option<f64>,
    pub satisfied: i64,
    pub dissatisfied: i64,
}

/// A share in percent with one decimal, absent when there is nothing to divide.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn a_survey_is_answered_once_with_a_score_from_one_to_five() {
        let mut s = Survey::send(
            UserId(4),
            None,
            Some(ServiceId(1)),
            Subject::Incident(IncidentId(9)),
            now(),
        );
        assert_eq!((s.kind, s.incident), (SurveyKind::Ticket, Some(IncidentId(9))));
        let none = s
            .answer(
                SurveyAnswer {
                    score: None,
                    comment: None,
                },
                now(),
            )
            .unwrap_err();
        assert!(none.to_string().contains("score"), "{none}");
        for bad in [0, 6] {
            let err = s
                .answer(
                    SurveyAnswer {
                        score: Some(bad),
                        comment: None,
                    },
                    now(),
                )
                .unwrap_err();
            assert!(err.to_string().contains("score"), "{err}");
        }
        assert_eq!(s.status, SurveyStatus::Sent);
        s.answer(
            SurveyAnswer {
                score: Some(4),
                comment: Some(" Quick fix ".into()),
            },
            now(),
        )
        .unwrap();
        assert_eq!((s.score, s.comment.as_str()), (Some(4), "Quick fix"));
        assert!(matches!(
            s.answer(
                SurveyAnswer {
                    score: Some(1),
                    comment: None
                },
                now()
            ),
            Err(Error::Conflict(_))
        ));
    }

    #[test]
    fn a_round_names_a_bounded_number_of_organisations() {
        let round = |n: i64| SurveyRound {
            service: ServiceId(1),
            organisations: (1..=n).map(OrganisationId).collect(),
        };
        assert!(round(500).validate().is_ok());
        let err = round(501).validate().unwrap_err();
        assert!(err.to_string().contains("organisations"), "{err}");
    }

    #[test]
    fn shares_round_to_one_decimal() {
        assert_eq!(share(1, 3), Some(33.3));
        assert_eq!(share(0, 0), None);
    }
}
