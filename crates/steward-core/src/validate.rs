//! Input checks that collect every problem at once, each named by its field.

use crate::error::{Error, FieldError, Result};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 100_000;
pub const NAME_MAX: usize = 120;

#[derive(Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// The days of a review: it was `held` neither after `today` nor before the `last` review,
    /// and the `next` one, where the review sets it, comes after it (`held_on`, `next_review`).
    pub fn review_dates(
        &mut self,
        held: chrono::NaiveDate,
        last: Option<chrono::NaiveDate>,
        next: Option<chrono::NaiveDate>,
        today: chrono::NaiveDate,
    ) {
        if held > today {
            self.fail("held_on", "must not be in the future");
        }
        if last.is_some_and(|l| held < l) {
            self.fail("held_on", "must not be before the last review");
        }
        if next.is_some_and(|n| n <= held) {
            self.fail("next_review", "must be after the review");
        }
    }

    /// A required single-line text: not blank, at most `max` characters, no control characters.
    pub fn line(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(field, "must not be blank");
        } else if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if value.chars().any(char::is_control) {
            self.fail(field, "must be a single line without control characters");
        }
    }

    /// A free text: at most `max` characters, and no NUL (which no database column can hold).
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if value.contains('\0') {
            self.fail(field, "must not contain NUL characters");
        }
    }

    pub fn opt_line(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.line(field, v, max);
        }
    }

    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.text(field, v, max);
        }
    }

    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.errors))
        }
    }
}

/// Treats an empty or all-blank optional text as absent.
pub fn blank_to_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}
