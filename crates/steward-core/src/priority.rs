//! Impact, urgency and the matrix that turns them into a priority P1 (highest) to P5.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::named_enum;

named_enum! {
    /// How widely, or how deeply, the business is affected.
    Impact { High = "high", Medium = "medium", Low = "low" }
}

named_enum! {
    /// How soon the business needs it fixed.
    Urgency { High = "high", Medium = "medium", Low = "low" }
}

named_enum! {
    /// The order in which work is taken: P1 first.
    Priority { P1 = "P1", P2 = "P2", P3 = "P3", P4 = "P4", P5 = "P5" }
}

impl Priority {
    /// One step more urgent; P1 stays P1.
    pub fn raised(self) -> Priority {
        Priority::ALL[(self as usize).saturating_sub(1)]
    }
}

impl Impact {
    fn index(self) -> usize {
        self as usize
    }
}

impl Urgency {
    fn index(self) -> usize {
        self as usize
    }
}

/// Rows are impact (high, medium, low), columns urgency (high, medium, low).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityMatrix {
    pub rows: [[Priority; 3]; 3],
}

impl Default for PriorityMatrix {
    /// The usual table: P1 where both are high, one step down for each step down in either.
    fn default() -> Self {
        use Priority::*;
        PriorityMatrix {
            rows: [[P1, P2, P3], [P2, P3, P4], [P3, P4, P5]],
        }
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Impact, urgency: Urgency) -> Priority {
        self.rows[impact.index()][urgency.index()]
    }

    /// A matrix is accepted only if priority never rises as impact or urgency falls.
    pub fn validate(&self) -> Result<()> {
        for i in 0..3 {
            for u in 0..3 {
                let p = self.rows[i][u] as usize;
                let worse_impact = i + 1 < 3 && (self.rows[i + 1][u] as usize) < p;
                let worse_urgency = u + 1 < 3 && (self.rows[i][u + 1] as usize) < p;
                if worse_impact || worse_urgency {
                    return Err(Error::invalid(
                        "rows",
                        "a lower impact or urgency must never give a higher priority",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl PriorityMatrix {
    /// The default for security incidents: one step more urgent than the usual table, so a
    /// breach that touches few people is still worked before routine faults of the same impact.
    pub fn security_default() -> PriorityMatrix {
        use Priority::*;
        PriorityMatrix {
            rows: [[P1, P1, P2], [P1, P2, P3], [P2, P3, P4]],
        }
    }
}

/// The priority rules incidents follow: the usual matrix, and the one security incidents are
/// given their own priority by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityRules {
    pub standard: PriorityMatrix,
    pub security: PriorityMatrix,
}

impl Default for PriorityRules {
    fn default() -> Self {
        PriorityRules {
            standard: PriorityMatrix::default(),
            security: PriorityMatrix::security_default(),
        }
    }
}

impl PriorityRules {
    /// The matrix an incident's priority is read from.
    pub fn matrix(&self, security: bool) -> &PriorityMatrix {
        if security { &self.security } else { &self.standard }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matrix_is_the_usual_table() {
        let m = PriorityMatrix::default();
        let cases = [
            (Impact::High, Urgency::High, Priority::P1),
            (Impact::High, Urgency::Medium, Priority::P2),
            (Impact::High, Urgency::Low, Priority::P3),
            (Impact::Medium, Urgency::High, Priority::P2),
            (Impact::Medium, Urgency::Medium, Priority::P3),
            (Impact::Medium, Urgency::Low, Priority::P4),
            (Impact::Low, Urgency::High, Priority::P3),
            (Impact::Low, Urgency::Medium, Priority::P4),
            (Impact::Low, Urgency::Low, Priority::P5),
        ];
        for (i, u, p) in cases {
            assert_eq!(m.priority(i, u), p, "{i} x {u}");
        }
        assert!(m.validate().is_ok());
    }

    #[test]
    fn custom_matrix_is_used_and_inverted_one_refused() {
        use Priority::*;
        let m = PriorityMatrix {
            rows: [[P1, P1, P2], [P2, P3, P4], [P4, P5, P5]],
        };
        assert!(m.validate().is_ok());
        assert_eq!(m.priority(Impact::High, Urgency::Medium), P1);
        assert_eq!(m.priority(Impact::Low, Urgency::High), P4);
        let inverted = PriorityMatrix {
            rows: [[P5, P4, P3], [P4, P3, P2], [P3, P2, P1]],
        };
        assert!(inverted.validate().is_err());
    }

    #[test]
    fn security_incidents_have_their_own_table() {
        let rules = PriorityRules::default();
        assert!(rules.security.validate().is_ok());
        assert_eq!(
            rules.matrix(false).priority(Impact::Medium, Urgency::High),
            Priority::P2
        );
        assert_eq!(rules.matrix(true).priority(Impact::Medium, Urgency::High), Priority::P1);
        assert_eq!(rules.matrix(true).priority(Impact::Low, Urgency::Low), Priority::P4);
    }
}
