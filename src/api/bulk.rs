//! Bulk upserts: a body of NDJSON lines, a JSON array or (for some resources) CSV rows, parsed
//! item by item, so that one bad item is reported without discarding the good ones.

use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::{check_depth, media_type, parse_json, payload_error};
use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::store::UpsertOutcome;

/// Media type of newline-delimited JSON, one item per line.
pub const NDJSON: &str = "application/x-ndjson";

/// One parsed item of a bulk body.
pub struct Item<T> {
    /// Position among the items, from 0.
    pub index: usize,
    /// Line number in an NDJSON or CSV body, from 1.
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
    /// Line number of the item in an NDJSON or CSV body, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub line: Option<usize>,
    pub status: ItemStatus,
    /// Id of the created, updated or unchanged resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub id: Option<String>,
    /// The item's natural key, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = std::collections::HashMap<String, String>)]
    pub natural_key: Option<NaturalKey>,
    /// Reasons the item failed, with pointers relative to the item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The natural key of a bulk item: field names and values, serialized as a JSON object such
/// as `{"districtId": "D0259", "studentUniqueId": "1234567890"}`. A batch keeps one per item,
/// and a list of pairs takes a fraction of the memory of a JSON map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NaturalKey(Vec<(&'static str, String)>);

impl NaturalKey {
    pub fn new<const N: usize>(fields: [(&'static str, &str); N]) -> NaturalKey {
        NaturalKey(
            fields
                .into_iter()
                .map(|(name, value)| (name, value.to_owned()))
                .collect(),
        )
    }
}

impl Serialize for NaturalKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
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

impl ItemResult {
    /// Builds the result of an item that the store processed.
    pub fn from_outcome(
        index: usize,
        line: Option<usize>,
        natural_key: Option<NaturalKey>,
        outcome: UpsertOutcome,
    ) -> ItemResult {
        let (status, id, errors) = match outcome {
            UpsertOutcome::Created(id) => (ItemStatus::Created, Some(id), Vec::new()),
            UpsertOutcome::Updated(id) => (ItemStatus::Updated, Some(id), Vec::new()),
            UpsertOutcome::Unchanged(id) => (ItemStatus::Unchanged, Some(id), Vec::new()),
            UpsertOutcome::Failed(errors) => (ItemStatus::Failed, None, errors),
        };
        ItemResult {
            index,
            line,
            status,
            id,
            natural_key,
            errors,
        }
    }

    /// Builds the result of an item rejected before it reached the store.
    pub fn failed(
        index: usize,
        line: Option<usize>,
        natural_key: Option<NaturalKey>,
        errors: Vec<FieldError>,
    ) -> ItemResult {
        ItemResult {
            index,
            line,
            status: ItemStatus::Failed,
            id: None,
            natural_key,
            errors,
        }
    }
}

/// Valid items grouped by district, ready for the store, with the results of the items that
/// were rejected on the way.
pub struct Prepared<F> {
    /// Items per district, each with its index; natural keys are distinct within a district.
    by_district: std::collections::BTreeMap<String, Vec<(usize, F)>>,
    /// Line number of each item, by index.
    lines: Vec<Option<usize>>,
    /// Natural key of each valid item, by index, until its result takes it.
    natural_keys: Vec<Option<NaturalKey>>,
    rejected: Vec<ItemResult>,
}

impl<F> Prepared<F> {
    /// Passes the valid items to `write` district by district, in chunks of at most
    /// `chunk_size`, and returns the response with every item's result in request order.
    /// Chunks and natural keys are moved, not copied.
    pub async fn write<W, Fut>(
        mut self,
        chunk_size: usize,
        mut write: W,
    ) -> Result<BulkResponse, ApiError>
    where
        W: FnMut(String, Vec<(usize, F)>) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<(usize, UpsertOutcome)>, ApiError>>,
    {
        let mut results = std::mem::take(&mut self.rejected);
        results.reserve(self.lines.len() - results.len());
        for (district_id, items) in std::mem::take(&mut self.by_district) {
            let mut items = items.into_iter();
            loop {
                let chunk: Vec<(usize, F)> = items.by_ref().take(chunk_size).collect();
                if chunk.is_empty() {
                    break;
                }
                for (index, outcome) in write(district_id.clone(), chunk).await? {
                    let line = self.lines.get(index).copied().flatten();
                    let natural_key = self.natural_keys.get_mut(index).and_then(Option::take);
                    results.push(ItemResult::from_outcome(index, line, natural_key, outcome));
                }
            }
        }
        Ok(BulkResponse::new(results))
    }
}

/// How [`prepare`] reads one kind of item.
pub struct ItemKeys<'a, T, F> {
    /// The item's `districtId`, if it names one.
    pub district: &'a dyn Fn(&T) -> Option<&str>,
    /// The item's natural key within its district.
    pub key: &'a dyn Fn(&T) -> String,
    /// The natural key in results, from the district and the key.
    pub natural_key: &'a dyn Fn(&str, &str) -> NaturalKey,
    /// JSON Pointer of the natural-key field, for duplicate errors.
    pub key_pointer: &'a str,
    /// The stored fields of a valid item.
    pub fields: &'a dyn Fn(&T) -> F,
}

/// Resolves each parsed item's district, rejects items that fail to parse, name a district
/// the client may not act for, or repeat a natural key of the same batch, and groups the rest.
pub fn prepare<T, F>(
    items: Vec<Item<T>>,
    principal: &Principal,
    keys: &ItemKeys<'_, T, F>,
) -> Prepared<F> {
    use std::collections::{BTreeMap, HashMap};

    let mut prepared = Prepared {
        by_district: BTreeMap::new(),
        lines: vec![None; items.len()],
        natural_keys: vec![None; items.len()],
        rejected: Vec::new(),
    };
    let mut first_seen: HashMap<(String, String), usize> = HashMap::new();
    for item in items {
        if let Some(line) = prepared.lines.get_mut(item.index) {
            *line = item.line;
        }
        let value = match item.value {
            Ok(value) => value,
            Err(errors) => {
                prepared
                    .rejected
                    .push(ItemResult::failed(item.index, item.line, None, errors));
                continue;
            }
        };
        let district_id = match principal.district_for_write((keys.district)(&value), "/districtId")
        {
            Ok(id) => id,
            Err(error) => {
                prepared.rejected.push(ItemResult::failed(
                    item.index,
                    item.line,
                    None,
                    error.errors().to_vec(),
                ));
                continue;
            }
        };
        let key = (keys.key)(&value);
        let natural_key = (keys.natural_key)(&district_id, &key);
        if let Some(first) = first_seen.get(&(district_id.clone(), key.clone())) {
            prepared.rejected.push(ItemResult::failed(
                item.index,
                item.line,
                Some(natural_key),
                vec![FieldError::body(
                    keys.key_pointer,
                    "duplicate",
                    format!("this item's key already appears at index {first} of the batch; send each record once"),
                )],
            ));
            continue;
        }
        first_seen.insert((district_id.clone(), key), item.index);
        if let Some(slot) = prepared.natural_keys.get_mut(item.index) {
            *slot = Some(natural_key);
        }
        prepared
            .by_district
            .entry(district_id)
            .or_default()
            .push((item.index, (keys.fields)(&value)));
    }
    prepared
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

/// How to turn CSV text cells into JSON values for one resource. Columns not named here are
/// strings; an empty cell is omitted, so the field takes its default.
#[derive(Debug, Default)]
pub struct CsvColumns {
    /// Columns holding a number.
    pub numbers: &'static [&'static str],
    /// Columns holding `true`/`false` (also `yes`/`no`, `1`/`0`).
    pub booleans: &'static [&'static str],
    /// Columns holding a list of strings separated by `;`.
    pub string_lists: &'static [&'static str],
    /// Columns holding a list of integers separated by `;`.
    pub integer_lists: &'static [&'static str],
}

/// Media type of CSV bodies; the first row names the fields.
pub const CSV: &str = "text/csv";

/// Reads the whole body, up to `limit` bytes, and parses it into items. CSV is accepted
/// when `csv` says how to read its columns.
pub async fn read_items<T>(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    csv: Option<&CsvColumns>,
) -> Result<Vec<Item<T>>, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let media = media_type(req).unwrap_or_default();
    let ndjson = matches!(
        media.as_str(),
        NDJSON | "application/jsonl" | "application/x-jsonlines"
    );
    let accepts_csv = csv.is_some();
    let csv = csv.filter(|_| media == CSV);
    if !ndjson && csv.is_none() && media != "application/json" {
        let csv_hint = if accepts_csv {
            format!(", or {CSV} (a header row of field names, then one item per row)")
        } else {
            String::new()
        };
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "send {NDJSON} (one item per line) or application/json (an array of items){csv_hint}"
            ),
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

    let items = match csv {
        Some(columns) => parse_csv(&body, columns)?,
        None if ndjson => parse_lines(&body),
        None => parse_array(&body)?,
    };
    if items.is_empty() {
        return Err(ApiError::invalid_field(
            "",
            "empty",
            "the body holds no items; send one item per line (with curl, use --data-binary, which keeps line breaks)",
        ));
    }
    Ok(items)
}

fn csv_cell(name: &str, cell: &str, columns: &CsvColumns) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    let split = || cell.split(';').map(str::trim).filter(|v| !v.is_empty());
    if columns.numbers.contains(&name) {
        // Whole numbers stay integers so that integer fields accept them.
        if let Ok(whole) = cell.parse::<i64>() {
            return Ok(Value::from(whole));
        }
        let number: f64 = cell
            .parse()
            .map_err(|_| format!("{name} must be a number, not {cell:?}"))?;
        return serde_json::Number::from_f64(number)
            .map(Value::Number)
            .ok_or_else(|| format!("{name} must be a finite number"));
    }
    if columns.booleans.contains(&name) {
        return match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("{name} must be true or false, not {cell:?}")),
        };
    }
    if columns.string_lists.contains(&name) {
        return Ok(Value::Array(
            split().map(|v| Value::String(v.to_owned())).collect(),
        ));
    }
    if columns.integer_lists.contains(&name) {
        return split()
            .map(|v| {
                v.parse::<i64>().map(Value::from).map_err(|_| {
                    format!("{name} must list whole numbers separated by ';', not {cell:?}")
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    Ok(Value::String(cell.to_owned()))
}

fn parse_csv<T>(body: &[u8], columns: &CsvColumns) -> Result<Vec<Item<T>>, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedJson,
                format!("the CSV header row is invalid: {e}"),
            )
        })?
        .clone();

    let mut items = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let value = match record {
            Err(error) => Err(vec![FieldError::body(
                "",
                "malformed_csv",
                format!("line {line}: {error}"),
            )]),
            Ok(record) => {
                let mut object = serde_json::Map::new();
                let mut errors = Vec::new();
                for (name, cell) in headers.iter().zip(record.iter()) {
                    if cell.is_empty() {
                        continue;
                    }
                    match csv_cell(name, cell, columns) {
                        Ok(value) => {
                            object.insert(name.to_owned(), value);
                        }
                        Err(message) => {
                            errors.push(FieldError::body(format!("/{name}"), "type", message))
                        }
                    }
                }
                if errors.is_empty() {
                    let json = serde_json::Value::Object(object).to_string();
                    parse_json(json.as_bytes()).map_err(item_errors)
                } else {
                    Err(errors)
                }
            }
        };
        items.push(Item {
            index,
            line: Some(line),
            value,
        });
    }
    Ok(items)
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
    check_depth(body, 1)?;
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
    fn csv_rows_become_typed_items() {
        let columns = CsvColumns {
            numbers: &["n"],
            ..CsvColumns::default()
        };
        let items = parse_csv::<Row>(b"n\n3\nx\n\"12\"\n", &columns).expect("csv");
        assert_eq!(items.len(), 3);
        assert!(items[0].value.is_ok());
        assert_eq!(items[1].line, Some(3));
        let type_error = items[1].value.as_ref().expect_err("not a number");
        assert_eq!(type_error[0].pointer.as_deref(), Some("/n"));
        let range = items[2].value.as_ref().expect_err("out of range");
        assert_eq!(range[0].code, "range");
    }

    #[test]
    fn non_array_body_is_malformed() {
        assert!(parse_array::<Row>(br#"{"n":1}"#).is_err());
    }
}
