//! Corrections to the generated OpenAPI document that utoipa's annotations cannot express.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Object, Schema};
use utoipa::openapi::{ObjectBuilder, OpenApi, RefOr, Type};

use super::{idempotency, preconditions};

/// Applies every correction; call it on the document after all routes are registered.
pub fn finish(document: &mut OpenApi) {
    open_flattened_schemas(document);
    constrain_headers(document);
}

/// A type that flattens a struct with `deny_unknown_fields` (a `Plan` flattens its
/// `PlanBody`), and a variant of an internally tagged enum that wraps one (a `Rule` of kind
/// `courses` wraps a `CourseRule`), becomes `allOf` over a closed schema. No value satisfies
/// that, because the other parts' fields and the tag count as unknown to the closed part.
/// Such a part is inlined here without `additionalProperties: false`. The closed schema
/// remains where it is used alone, as in a request body, and is removed where it is not.
fn open_flattened_schemas(document: &mut OpenApi) {
    let Some(components) = document.components.as_mut() else {
        return;
    };
    let closed: BTreeMap<String, Object> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            RefOr::T(Schema::Object(object)) if is_closed(object) => {
                let mut open = object.clone();
                open.additional_properties = None;
                Some((format!("#/components/schemas/{name}"), open))
            }
            _ => None,
        })
        .collect();

    for schema in components.schemas.values_mut() {
        if let RefOr::T(schema) = schema {
            open_closed_parts(schema, &closed);
        }
    }

    // A closed schema that only ever stood in an allOf is now unused.
    let text = serde_json::to_string(&*document).unwrap_or_default();
    let unused: Vec<String> = closed
        .keys()
        .filter(|reference| !text.contains(&format!("\"{reference}\"")))
        .map(|reference| {
            reference
                .trim_start_matches("#/components/schemas/")
                .to_owned()
        })
        .collect();
    if let Some(components) = document.components.as_mut() {
        for name in unused {
            components.schemas.remove(&name);
        }
    }
}

/// Replaces each `allOf` part of `schema`, at any depth, that refers to a closed schema by
/// its open copy from `closed`.
fn open_closed_parts(schema: &mut Schema, closed: &BTreeMap<String, Object>) {
    let nested: Vec<&mut RefOr<Schema>> = match schema {
        Schema::AllOf(all_of) => {
            for part in &mut all_of.items {
                if let RefOr::Ref(reference) = part
                    && let Some(open) = closed.get(&reference.ref_location)
                {
                    *part = RefOr::T(Schema::Object(open.clone()));
                }
            }
            all_of.items.iter_mut().collect()
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().collect(),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().collect(),
        Schema::Object(object) => object.properties.values_mut().collect(),
        Schema::Array(array) => match &mut array.items {
            ArrayItems::RefOrSchema(items) => vec![items.as_mut()],
            ArrayItems::False => Vec::new(),
        },
        _ => Vec::new(),
    };
    for part in nested {
        if let RefOr::T(part) = part {
            open_closed_parts(part, closed);
        }
    }
}

fn is_closed(object: &Object) -> bool {
    matches!(
        object.additional_properties.as_deref(),
        Some(AdditionalProperties::FreeForm(false))
    )
}

/// Gives the `If-Match` and `Idempotency-Key` header parameters the pattern their parsers
/// enforce, so that a generated client or a fuzzer knows which values are well-formed.
fn constrain_headers(document: &mut OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            constrain_operation_headers(operation);
        }
    }
}

fn constrain_operation_headers(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if parameter.parameter_in != ParameterIn::Header {
            continue;
        }
        let pattern = match parameter.name.as_str() {
            "If-Match" => preconditions::IF_MATCH_PATTERN,
            "Idempotency-Key" => idempotency::KEY_PATTERN,
            _ => continue,
        };
        parameter.schema = Some(RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern))
                .build(),
        )));
    }
}
