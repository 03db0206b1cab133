//! Property tests of what Steward does to the text of arriving email: whatever a message holds,
//! reducing its HTML, trimming its quotes, titling it and fitting it never fails, and what comes
//! out fits the fields it is written to.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use steward_core::inbound::{fit_text, html_to_text, named_record, reference_in_subject, title_of, trim_quoted};
use steward_core::validate::{TEXT_MAX, TITLE_MAX};

/// Text made of the pieces mail is made of: tags, entities, quotes, attributions, line ends and
/// any other characters.
fn mail_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<br>".to_string()),
        Just("<blockquote>".to_string()),
        Just("</blockquote>".to_string()),
        Just("<script>".to_string()),
        Just("</script>".to_string()),
        Just("<a href=\"https://x.example/?a=1&amp;b\">".to_string()),
        Just("</a>".to_string()),
        Just("<li>".to_string()),
        Just("<pre>".to_string()),
        Just("</pre>".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("&amp;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("&#99999999;".to_string()),
        Just("&".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("\n> ".to_string()),
        Just("\r\n".to_string()),
        Just("\nOn Tue, 1 Dec 2026, Desk <d@x> wrote:\n".to_string()),
        Just("\n-----Original Message-----\n".to_string()),
        Just("[INC-42]".to_string()),
        Just("Re: ".to_string()),
        Just("\0".to_string()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn any_html_reduces_to_text_and_scripts_never_show(html in mail_text(), words in "[^<>&]{0,40}") {
        let text = html_to_text(&html);
        prop_assert!(!text.ends_with('\n'));
        let page = format!("<p>{words}</p><script>var secret = 1;</script><style>p {{ x }}</style>{words}");
        let shown = html_to_text(&page);
        prop_assert!(!shown.contains("secret") || words.contains("secret"));
        let braces = shown.contains('{') && !words.contains('{');
        prop_assert!(!braces, "a style sheet showed: {:?}", shown);
    }

    #[test]
    fn trimming_keeps_the_start_of_a_reply_and_never_empties_it(text in mail_text()) {
        let trimmed = trim_quoted(&text);
        if !text.trim().is_empty() {
            prop_assert!(!trimmed.trim().is_empty());
        }
        let first = text.lines().next().unwrap_or("").trim_end();
        if !first.trim().is_empty() && !first.trim_start().starts_with('>') {
            prop_assert!(trimmed.starts_with(first) || trimmed == text.trim_end(), "{trimmed:?} lost {first:?}");
        }
    }

    #[test]
    fn titles_and_texts_fit_their_fields(subject in mail_text(), body in mail_text()) {
        let title = title_of(&subject);
        prop_assert!(!title.trim().is_empty());
        prop_assert!(title.chars().count() <= TITLE_MAX);
        prop_assert!(!title.chars().any(char::is_control));
        let long = body.repeat(1 + TEXT_MAX / (body.len() + 1) / 8);
        let fitted = fit_text(&long);
        prop_assert!(fitted.chars().count() <= TEXT_MAX);
        prop_assert!(!fitted.contains('\0'));
        prop_assert!(!fitted.contains('\r'));
    }

    #[test]
    fn any_subject_or_message_id_names_at_most_a_real_reference(subject in mail_text(), id in mail_text()) {
        if let Some((kind, n)) = reference_in_subject(&subject) {
            let tag = format!("{}-", kind.prefix());
            prop_assert!(subject.to_uppercase().contains(&tag));
            prop_assert!(n > 0);
        }
        let _ = named_record(&subject, &[id], "steward.test");
    }
}
