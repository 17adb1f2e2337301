//! Bulk upserts: a body of NDJSON lines or a JSON array, parsed item by item, so that one bad
//! item is reported without discarding the good ones.

use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::{media_type, parse_json, payload_error};
use crate::error::{ApiError, ErrorCode, FieldError};

/// Media type of newline-delimited JSON, one item per line.
pub const NDJSON: &str = "application/x-ndjson";

/// One parsed item of a bulk body.
pub struct Item<T> {
    /// Position among the items, from 0.
    pub index: usize,
    /// Line number in an NDJSON body, from 1.
    pub line: Option<usize>,
    pub value: Result<T, Vec<FieldError>>,
}

/// Outcome of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Created,
    Updated,
    Unchanged,
    Failed,
}

/// The result of one item of a bulk request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemResult {
    /// Position of the item in the request, from 0.
    pub index: usize,
    /// Line number of the item in an NDJSON body, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub status: ItemStatus,
    /// Id of the created, updated or unchanged resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The item's natural key, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub natural_key: Option<serde_json::Value>,
    /// Reasons the item failed, with pointers relative to the item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Counts per status.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub received: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
}

/// The response of a bulk upsert: a summary and one result per item, in request order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "summary": {"received": 2, "created": 1, "updated": 0, "unchanged": 0, "failed": 1},
    "results": [
        {"index": 0, "line": 1, "status": "created", "id": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
         "naturalKey": {"districtId": "D0259", "studentUniqueId": "1234567890"}},
        {"index": 1, "line": 2, "status": "failed",
         "errors": [{"pointer": "/studentUniqueId", "code": "pattern", "message": "studentUniqueId must be the 10-digit Kansas KIDS identifier"}]}
    ]
}))]
pub struct BulkResponse {
    pub summary: Summary,
    pub results: Vec<ItemResult>,
}

impl BulkResponse {
    /// Builds the response from results in any order.
    pub fn new(mut results: Vec<ItemResult>) -> BulkResponse {
        results.sort_by_key(|r| r.index);
        let mut summary = Summary {
            received: results.len(),
            ..Summary::default()
        };
        for result in &results {
            match result.status {
                ItemStatus::Created => summary.created += 1,
                ItemStatus::Updated => summary.updated += 1,
                ItemStatus::Unchanged => summary.unchanged += 1,
                ItemStatus::Failed => summary.failed += 1,
            }
        }
        BulkResponse { summary, results }
    }
}

/// Reads the whole body, up to `limit` bytes, and parses it into items.
pub async fn read_items<T>(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<Item<T>>, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let media = media_type(req).unwrap_or_default();
    let ndjson = matches!(
        media.as_str(),
        NDJSON | "application/jsonl" | "application/x-jsonlines"
    );
    if !ndjson && media != "application/json" {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("send {NDJSON} (one item per line) or application/json (an array of items)"),
        ));
    }

    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| payload_error(e.into()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the bulk body exceeds {limit} bytes; split it into smaller batches"),
            ));
        }
        body.extend_from_slice(&chunk);
    }

    if ndjson {
        Ok(parse_lines(&body))
    } else {
        parse_array(&body)
    }
}

fn item_errors(error: ApiError) -> Vec<FieldError> {
    if error.errors().is_empty() {
        vec![FieldError::body("", error.code().as_str(), error.detail())]
    } else {
        error.errors().to_vec()
    }
}

fn parse_lines<T>(body: &[u8]) -> Vec<Item<T>>
where
    T: DeserializeOwned + Validate,
{
    body.split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .enumerate()
        .map(|(index, (line_index, line))| Item {
            index,
            line: Some(line_index + 1),
            value: parse_json(line).map_err(item_errors),
        })
        .collect()
}

fn parse_array<T>(body: &[u8]) -> Result<Vec<Item<T>>, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let raw: Vec<&serde_json::value::RawValue> = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the body must be a JSON array of items: {e}"),
        )
    })?;
    Ok(raw
        .into_iter()
        .enumerate()
        .map(|(index, item)| Item {
            index,
            line: None,
            value: parse_json(item.get().as_bytes()).map_err(item_errors),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Row {
        #[validate(range(min = 1, max = 9))]
        n: i32,
    }

    #[test]
    fn ndjson_keeps_line_numbers() {
        let items = parse_lines::<Row>(b"{\"n\":1}\n\n{\"n\":20}\n{oops\n");
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].line, Some(3));
        assert_eq!(items[1].index, 1);
        assert!(items[0].value.is_ok());
        let range = items[1].value.as_ref().expect_err("range");
        assert_eq!(range[0].pointer.as_deref(), Some("/n"));
        let syntax = items[2].value.as_ref().expect_err("syntax");
        assert_eq!(syntax[0].code, "malformed_json");
    }

    #[test]
    fn array_items_are_parsed_one_by_one() {
        let items = parse_array::<Row>(br#"[{"n":1},{"n":"x"}]"#).expect("array");
        assert!(items[0].value.is_ok());
        assert!(items[1].value.is_err());
    }

    #[test]
    fn non_array_body_is_malformed() {
        assert!(parse_array::<Row>(br#"{"n":1}"#).is_err());
    }
}
