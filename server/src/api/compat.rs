//! Breaking changes between two OpenAPI documents, for `smartai api check-compat`: the CI step
//! that keeps `/api/v1` compatible with the committed `docs/openapi.json` (see docs/api.md).
//!
//! Breaking: a removed operation or parameter; a removed field of a request or response body; a
//! removed enum value; a new required request field or parameter. Additions are not.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/// Schemas nest; a recursive one must not loop forever.
const MAX_DEPTH: usize = 12;

/// Every breaking change from `old` to `new`, one sentence each.
pub fn breaking_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let empty = Map::new();
    let old_paths = old.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    let new_paths = new.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    for (path, old_item) in old_paths {
        for method in METHODS {
            let Some(old_op) = old_item.get(method) else { continue };
            let operation = format!("{} {path}", method.to_uppercase());
            let Some(new_op) = new_paths.get(path).and_then(|item| item.get(method)) else {
                found.push(format!("{operation}: operation removed"));
                continue;
            };
            let specs = Specs { old, new };
            specs.parameters(&operation, old_op, new_op, &mut found);
            if let (Some(o), Some(n)) = (json_body(old_op.get("requestBody")), json_body(new_op.get("requestBody"))) {
                specs.schema(&format!("{operation} request"), o, n, Direction::Request, 0, &mut found);
            }
            let old_responses = old_op.get("responses").and_then(Value::as_object).unwrap_or(&empty);
            for (status, old_response) in old_responses {
                let new_response = new_op.get("responses").and_then(|r| r.get(status));
                if let (Some(o), Some(n)) = (json_body(Some(old_response)), json_body(new_response)) {
                    specs.schema(&format!("{operation} {status} response"), o, n, Direction::Response, 0, &mut found);
                }
            }
        }
    }
    found
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Request,
    Response,
}

struct Specs<'a> {
    old: &'a Value,
    new: &'a Value,
}

fn json_body(holder: Option<&Value>) -> Option<&Value> {
    holder?.get("content")?.get("application/json")?.get("schema")
}

/// Follows a local `$ref` (`#/components/schemas/Name`).
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..MAX_DEPTH {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else { return schema };
        let Some(target) = reference.strip_prefix('#').and_then(|pointer| spec.pointer(pointer)) else { return schema };
        schema = target;
    }
    schema
}

/// A schema with its `allOf`/`oneOf`/`anyOf` branches folded in: what fields it may have, which
/// are required, which enum values it takes, and the schema of its items.
#[derive(Default)]
struct Flat<'a> {
    properties: Map<String, Value>,
    required: BTreeSet<String>,
    enumeration: Option<Vec<&'a Value>>,
    items: Option<&'a Value>,
}

fn flatten<'a>(spec: &'a Value, schema: &'a Value, flat: &mut Flat<'a>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = resolve(spec, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, value) in properties {
            flat.properties.entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        flat.required.extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        flat.enumeration.get_or_insert_with(Vec::new).extend(values.iter());
    }
    if let Some(items) = schema.get("items") {
        flat.items.get_or_insert(items);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for branch in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            flatten(spec, branch, flat, depth + 1);
        }
    }
}

impl Specs<'_> {
    fn parameters(&self, operation: &str, old_op: &Value, new_op: &Value, found: &mut Vec<String>) {
        let list = |op: &Value| -> Vec<(String, String, bool)> {
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    let name = p.get("name")?.as_str()?.to_owned();
                    let place = p.get("in")?.as_str()?.to_owned();
                    Some((name, place, p.get("required").and_then(Value::as_bool).unwrap_or(false)))
                })
                .collect()
        };
        let (old, new) = (list(old_op), list(new_op));
        for (name, place, _) in &old {
            if !new.iter().any(|(n, p, _)| n == name && p == place) {
                found.push(format!("{operation}: {place} parameter `{name}` removed"));
            }
        }
        for (name, place, required) in &new {
            let was_required = old.iter().any(|(n, p, r)| n == name && p == place && *r);
            if *required && !was_required {
                found.push(format!("{operation}: {place} parameter `{name}` is now required"));
            }
        }
    }

    fn schema(&self, at: &str, old: &Value, new: &Value, direction: Direction, depth: usize, found: &mut Vec<String>) {
        if depth > MAX_DEPTH {
            return;
        }
        let (mut o, mut n) = (Flat::default(), Flat::default());
        flatten(self.old, old, &mut o, 0);
        flatten(self.new, new, &mut n, 0);
        if let (Some(old_values), Some(new_values)) = (&o.enumeration, &n.enumeration) {
            for value in old_values.iter().filter(|v| !new_values.contains(v)) {
                found.push(format!("{at}: enum value {value} removed"));
            }
        }
        for (name, old_property) in &o.properties {
            match n.properties.get(name) {
                None => found.push(format!("{at}: field `{name}` removed")),
                Some(new_property) => {
                    let at = format!("{at}.{name}");
                    self.schema(&at, old_property, new_property, direction, depth + 1, found);
                }
            }
        }
        if direction == Direction::Request {
            for name in n.required.difference(&o.required) {
                found.push(format!("{at}: field `{name}` is now required"));
            }
        }
        if let (Some(old_items), Some(new_items)) = (o.items, n.items) {
            self.schema(&format!("{at}[]"), old_items, new_items, direction, depth + 1, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(paths: Value, schemas: Value) -> Value {
        json!({ "openapi": "3.1.0", "paths": paths, "components": { "schemas": schemas } })
    }

    fn thing(properties: Value, required: Value) -> Value {
        json!({ "Thing": { "type": "object", "properties": properties, "required": required } })
    }

    fn paths() -> Value {
        let body = json!({ "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } });
        json!({ "/things": {
            "get": { "parameters": [{ "name": "limit", "in": "query", "required": false }], "responses": { "200": body } },
            "post": { "requestBody": body, "responses": { "201": body } }
        }})
    }

    fn base() -> Value {
        spec(
            paths(),
            thing(
                json!({ "id": { "type": "string" }, "kind": { "type": "string", "enum": ["a", "b"] } }),
                json!(["id"]),
            ),
        )
    }

    #[test]
    fn the_same_document_and_additions_are_compatible() {
        assert!(breaking_changes(&base(), &base()).is_empty());
        let mut added = base();
        added["components"]["schemas"]["Thing"]["properties"]["extra"] = json!({ "type": "string" });
        added["components"]["schemas"]["Thing"]["properties"]["kind"]["enum"] = json!(["a", "b", "c"]);
        added["paths"]["/other"] = json!({ "get": { "responses": {} } });
        assert_eq!(breaking_changes(&base(), &added), Vec::<String>::new());
    }

    #[test]
    fn a_removed_operation_is_breaking() {
        let mut new = base();
        new["paths"]["/things"].as_object_mut().unwrap().remove("post");
        assert_eq!(breaking_changes(&base(), &new), ["POST /things: operation removed"]);
    }

    #[test]
    fn a_removed_field_is_breaking_in_requests_and_responses() {
        let mut new = base();
        new["components"]["schemas"]["Thing"]["properties"].as_object_mut().unwrap().remove("id");
        let found = breaking_changes(&base(), &new);
        assert!(found.contains(&"GET /things 200 response: field `id` removed".to_owned()), "{found:?}");
        assert!(found.contains(&"POST /things request: field `id` removed".to_owned()), "{found:?}");
    }

    #[test]
    fn a_removed_enum_value_is_breaking() {
        let mut new = base();
        new["components"]["schemas"]["Thing"]["properties"]["kind"]["enum"] = json!(["a"]);
        assert!(
            breaking_changes(&base(), &new)
                .contains(&"GET /things 200 response.kind: enum value \"b\" removed".to_owned())
        );
    }

    #[test]
    fn a_new_required_request_field_or_parameter_is_breaking() {
        let mut new = base();
        new["components"]["schemas"]["Thing"]["required"] = json!(["id", "kind"]);
        new["paths"]["/things"]["get"]["parameters"][0]["required"] = json!(true);
        let found = breaking_changes(&base(), &new);
        assert!(found.contains(&"POST /things request: field `kind` is now required".to_owned()), "{found:?}");
        assert!(found.contains(&"GET /things: query parameter `limit` is now required".to_owned()), "{found:?}");
        // A response field becoming always present breaks nobody.
        assert!(!found.iter().any(|f| f.contains("response: field `kind` is now required")));
    }

    #[test]
    fn nullable_wrappers_and_arrays_are_looked_through() {
        let wrap = |schema: Value| {
            let mut s = base();
            s["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = schema;
            s
        };
        let old = wrap(
            json!({ "type": "array", "items": { "oneOf": [{ "type": "null" }, { "$ref": "#/components/schemas/Thing" }] } }),
        );
        let mut new = old.clone();
        new["components"]["schemas"]["Thing"]["properties"].as_object_mut().unwrap().remove("kind");
        assert!(breaking_changes(&old, &new).contains(&"GET /things 200 response[]: field `kind` removed".to_owned()));
    }
}
