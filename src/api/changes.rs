//! `GET /v1/changes`: the change feed, for subscribers that keep a copy in sync.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::AppState;
use crate::api::extract::Query;
use crate::api::paging::DEFAULT_LIMIT;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::store::changes::ChangeRow;

/// Whether the resource was created or updated (`upsert`) or deleted (`delete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Upsert,
    Delete,
}

/// The kinds of resource that appear in the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    Student,
    Course,
    Plan,
    SurveyResponse,
    Review,
}

impl ResourceType {
    fn as_str(self) -> &'static str {
        match self {
            ResourceType::Student => crate::store::students::RESOURCE_TYPE,
            ResourceType::Course => crate::store::courses::RESOURCE_TYPE,
            ResourceType::Plan => crate::store::plans::RESOURCE_TYPE,
            ResourceType::SurveyResponse => crate::store::surveys::RESOURCE_TYPE,
            ResourceType::Review => crate::store::reviews::RESOURCE_TYPE,
        }
    }
}

/// One change event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "changeVersion": 1042,
    "resourceType": "student",
    "id": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
    "districtId": "D0259",
    "naturalKey": {"districtId": "D0259", "studentUniqueId": "1234567890"},
    "operation": "delete",
    "changedAt": "2026-09-01T14:03:11.402Z"
}))]
pub struct Change {
    /// Position in the global feed; strictly increasing.
    pub change_version: i64,
    #[schema(value_type = ResourceType)]
    pub resource_type: String,
    pub id: String,
    pub district_id: String,
    /// The resource's natural key, so that a delete can be replicated without the id.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub natural_key: serde_json::Value,
    pub operation: Operation,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

impl From<ChangeRow> for Change {
    fn from(row: ChangeRow) -> Change {
        Change {
            change_version: row.change_version,
            resource_type: row.resource_type,
            id: row.resource_id,
            district_id: row.district_id,
            natural_key: serde_json::from_str(&row.natural_key).unwrap_or(serde_json::Value::Null),
            operation: if row.operation == "delete" {
                Operation::Delete
            } else {
                Operation::Upsert
            },
            changed_at: row.changed_at.and_utc(),
        }
    }
}

/// A page of the change feed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "items": [{
        "changeVersion": 1042,
        "resourceType": "student",
        "id": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "districtId": "D0259",
        "naturalKey": {"districtId": "D0259", "studentUniqueId": "1234567890"},
        "operation": "upsert",
        "changedAt": "2026-09-01T14:03:11.402Z"
    }],
    "nextAfter": 1042,
    "hasMore": false
}))]
pub struct ChangePage {
    pub items: Vec<Change>,
    /// Pass as `after` for the next page: the last `changeVersion` returned, or the `after`
    /// that was sent when the page is empty.
    pub next_after: i64,
    /// Whether more changes were available when the page was read.
    pub has_more: bool,
}

/// Paging and filters for the change feed.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// Return changes with a `changeVersion` greater than this; 0 to start from the beginning.
    #[validate(range(min = 0, message = "after must not be negative"))]
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Page size, 1 to 1000; default 100.
    #[validate(range(min = 1, max = 1000, message = "limit must be between 1 and 1000"))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Only changes of this resource type.
    pub resource_type: Option<ResourceType>,
    /// Only changes of this district (one of the client's).
    #[param(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
}

/// Read the change feed
///
/// Every create, update and delete in the client's districts, in `changeVersion` order.
/// Keep the last `changeVersion` you processed and pass it as `after`.
#[utoipa::path(
    tag = "changes",
    params(ChangeQuery),
    responses(
        (status = 200, description = "Changes in order", body = ChangePage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["changes:read"]), ("oauth2" = ["changes:read"])),
)]
#[get("/v1/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    principal: Principal,
    Query(query): Query<ChangeQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ChangesRead)?;
    let after = query.after.unwrap_or(0);
    let limit = i64::from(query.limit.unwrap_or(DEFAULT_LIMIT));
    let districts = principal.districts_for_filter(query.district_id.as_deref())?;
    let resource_type = query.resource_type.map(ResourceType::as_str);

    let mut rows = crate::store::read!(state.store, |conn, q| q::changes::list(
        conn,
        &districts,
        after,
        resource_type,
        limit + 1
    ))?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_after = rows.last().map_or(after, |row| row.change_version);
    Ok(HttpResponse::Ok().json(ChangePage {
        items: rows.into_iter().map(Change::from).collect(),
        next_after,
        has_more,
    }))
}
