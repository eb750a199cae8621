//! Reading what deputies and scripts hand in as JSON: malformed input and misspelt fields are
//! refused with a message, never silently dropped.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::{CaseEventInput, MediationEventInput, MeetingEventInput, SuggestionEventInput};
use crate::error::{Error, ErrorKind, Result};

/// Parses `text` (from `source`, named in the message) as a `T`.
pub fn parse<T: DeserializeOwned>(source: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|err| bad_input(source, &err))
}

fn bad_input(source: &str, err: &serde_json::Error) -> Error {
    Error::refused(
        ErrorKind::BadInput,
        format!("{source} 的内容格式不正确：{err}"),
    )
}

/// Parses a case event, refusing fields its kind does not have.
pub fn parse_case_event(source: &str, text: &str) -> Result<CaseEventInput> {
    let (input, value): (CaseEventInput, Value) = parse_tagged(source, text)?;
    reject_unknown_fields(source, &value, &input.kind)?;
    Ok(input)
}

/// Parses a mediation event, refusing fields its kind does not have.
pub fn parse_mediation_event(source: &str, text: &str) -> Result<MediationEventInput> {
    let (input, value): (MediationEventInput, Value) = parse_tagged(source, text)?;
    reject_unknown_fields(source, &value, &input.kind)?;
    Ok(input)
}

/// Parses a meeting event (公示, objection, answer, carried out), refusing fields its kind does
/// not have.
pub fn parse_meeting_event(source: &str, text: &str) -> Result<MeetingEventInput> {
    let (input, value): (MeetingEventInput, Value) = parse_tagged(source, text)?;
    reject_unknown_fields(source, &value, &input.kind)?;
    Ok(input)
}

/// Parses a suggestion event (submitted, assigned, answered, satisfaction), refusing fields its
/// kind does not have.
pub fn parse_suggestion_event(source: &str, text: &str) -> Result<SuggestionEventInput> {
    let (input, value): (SuggestionEventInput, Value) = parse_tagged(source, text)?;
    reject_unknown_fields(source, &value, &input.kind)?;
    Ok(input)
}

fn parse_tagged<T: DeserializeOwned>(source: &str, text: &str) -> Result<(T, Value)> {
    let value: Value = parse(source, text)?;
    let input = T::deserialize(&value).map_err(|err| bad_input(source, &err))?;
    Ok((input, value))
}

/// Events are flat objects (`kind`, the kind's fields, `at`, `deputy`, `note`); serde cannot
/// deny unknown fields through a flattened enum, so compare against the kind's own fields.
fn reject_unknown_fields(source: &str, given: &Value, kind: &impl serde::Serialize) -> Result<()> {
    let known =
        serde_json::to_value(kind).map_err(|err| Error::Internal(format!("event kind: {err}")))?;
    let unknown: Vec<&str> = given
        .as_object()
        .into_iter()
        .flat_map(|fields| fields.keys())
        .filter(|field| !matches!(field.as_str(), "at" | "deputy" | "note"))
        .filter(|field| known.get(field.as_str()).is_none())
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::refused(
            ErrorKind::BadInput,
            format!("{source} 中有这类事件不认识的字段：{}", unknown.join("、")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_fields_of_another_kind_are_refused() {
        let ok = parse_case_event(
            "输入",
            r#"{"kind":"referred","to":"镇农业农村办","deadline":"2026-12-01","note":"急"}"#,
        );
        assert!(ok.is_ok(), "{ok:?}");
        let err =
            parse_case_event("输入", r#"{"kind":"accepted","deadline":"2026-12-01"}"#).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadInput);
        assert!(err.to_string().contains("deadline"), "{err}");
        let err = parse_mediation_event(
            "输入",
            r#"{"kind":"follow_up","satisfaction":"满意","notes":"x"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("notes"), "{err}");
    }

    #[test]
    fn malformed_json_names_its_source() {
        let err = parse::<Value>("r.json", "{").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadInput);
        assert!(err.to_string().starts_with("r.json 的内容格式不正确"));
    }
}
