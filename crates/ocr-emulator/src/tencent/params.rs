//! Request parameters checked against each action's table (spec §5, §6): unknown
//! names (`UnknownParameter`), missing required ones (`MissingParameter`), wrong JSON
//! types or explicit `null` (`InvalidParameter`). GET requests carry the same
//! parameters flattened in the query (`ItemNames.0`, `Config.ResultType`).

use serde_json::{Map, Value};

use super::envelope::TcError;

/// A parameter's API type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    Str,
    Int,
    UInt,
    Bool,
    StrArray,
    Obj(&'static [Field]),
    ObjArray(&'static [Field]),
}

impl Ty {
    fn name(&self) -> &'static str {
        match self {
            Ty::Str => "String",
            Ty::Int => "Integer",
            Ty::UInt => "UInteger",
            Ty::Bool => "Boolean",
            Ty::StrArray => "Array of String",
            Ty::Obj(_) => "Object",
            Ty::ObjArray(_) => "Array of Object",
        }
    }
}

/// One parameter of a table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
}

/// An optional parameter.
pub(crate) const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

/// A required parameter.
pub(crate) const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

fn unknown(path: &str) -> TcError {
    TcError::new(
        "UnknownParameter",
        format!("The parameter `{path}` is not recognized."),
    )
}

fn wrong_type(path: &str, ty: Ty) -> TcError {
    TcError::new(
        "InvalidParameter",
        format!("The type of parameter `{path}` should be `{}`.", ty.name()),
    )
}

/// Checks a parameter object against a table.
pub(crate) fn validate(params: &Map<String, Value>, fields: &[Field]) -> Result<(), TcError> {
    check_object(params, fields, "")
}

fn check_object(map: &Map<String, Value>, fields: &[Field], prefix: &str) -> Result<(), TcError> {
    for key in map.keys() {
        if !fields.iter().any(|f| f.name == key) {
            return Err(unknown(&format!("{prefix}{key}")));
        }
    }
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        match map.get(field.name) {
            None => {
                if field.required {
                    return Err(TcError::new(
                        "MissingParameter",
                        format!("The request is missing a required parameter `{path}`."),
                    ));
                }
            }
            Some(Value::Null) => {
                return Err(TcError::new(
                    "InvalidParameter",
                    format!(
                        "The parameter `{path}` is null; omit a parameter instead of sending null."
                    ),
                ))
            }
            Some(value) => check_value(value, field.ty, &path)?,
        }
    }
    Ok(())
}

fn check_value(value: &Value, ty: Ty, path: &str) -> Result<(), TcError> {
    let ok = match ty {
        Ty::Str => value.is_string(),
        Ty::Int => value.is_i64(),
        Ty::UInt => value.is_u64(),
        Ty::Bool => value.is_boolean(),
        Ty::StrArray => {
            let Some(items) = value.as_array() else {
                return Err(wrong_type(path, ty));
            };
            for (i, item) in items.iter().enumerate() {
                if !item.is_string() {
                    return Err(wrong_type(&format!("{path}.{i}"), Ty::Str));
                }
            }
            true
        }
        Ty::Obj(fields) => {
            let Some(map) = value.as_object() else {
                return Err(wrong_type(path, ty));
            };
            return check_object(map, fields, &format!("{path}."));
        }
        Ty::ObjArray(fields) => {
            let Some(items) = value.as_array() else {
                return Err(wrong_type(path, ty));
            };
            for (i, item) in items.iter().enumerate() {
                let Some(map) = item.as_object() else {
                    return Err(wrong_type(&format!("{path}.{i}"), Ty::Obj(fields)));
                };
                check_object(map, fields, &format!("{path}.{i}."))?;
            }
            true
        }
    };
    if ok {
        Ok(())
    } else {
        Err(wrong_type(path, ty))
    }
}

/// Builds the parameter object of a GET request from its flattened query.
pub(crate) fn from_query(
    pairs: &[(String, String)],
    fields: &[Field],
) -> Result<Map<String, Value>, TcError> {
    let mut root = Map::new();
    for (key, value) in pairs {
        let segments: Vec<&str> = key.split('.').collect();
        insert(&mut root, fields, &segments, value, "")?;
    }
    Ok(root)
}

fn scalar(ty: Ty, text: &str, path: &str) -> Result<Value, TcError> {
    let bad = || wrong_type(path, ty);
    Ok(match ty {
        Ty::Str => Value::String(text.to_owned()),
        Ty::Int => Value::Number(text.parse::<i64>().map_err(|_| bad())?.into()),
        Ty::UInt => Value::Number(text.parse::<u64>().map_err(|_| bad())?.into()),
        Ty::Bool => match text {
            "true" | "True" => Value::Bool(true),
            "false" | "False" => Value::Bool(false),
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    })
}

fn index(segment: Option<&&str>, path: &str, ty: Ty) -> Result<usize, TcError> {
    segment
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|i| *i < 1000)
        .ok_or_else(|| wrong_type(path, ty))
}

fn slot(items: &mut Vec<Value>, i: usize, fill: Value) -> Option<&mut Value> {
    while items.len() <= i {
        items.push(fill.clone());
    }
    items.get_mut(i)
}

fn insert(
    map: &mut Map<String, Value>,
    fields: &[Field],
    segments: &[&str],
    text: &str,
    prefix: &str,
) -> Result<(), TcError> {
    let Some((first, rest)) = segments.split_first() else {
        return Ok(());
    };
    let path = format!("{prefix}{first}");
    let field = fields
        .iter()
        .find(|f| f.name == *first)
        .ok_or_else(|| unknown(&path))?;
    match field.ty {
        Ty::StrArray => {
            let i = index(rest.first(), &path, field.ty)?;
            let entry = map
                .entry(field.name)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                if let Some(v) = slot(items, i, Value::String(String::new())) {
                    *v = Value::String(text.to_owned());
                }
            }
        }
        Ty::Obj(sub) => {
            let entry = map
                .entry(field.name)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                insert(inner, sub, rest, text, &format!("{path}."))?;
            }
        }
        Ty::ObjArray(sub) => {
            let i = index(rest.first(), &path, field.ty)?;
            let entry = map
                .entry(field.name)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                if let Some(Value::Object(inner)) = slot(items, i, Value::Object(Map::new())) {
                    insert(
                        inner,
                        sub,
                        rest.get(1..).unwrap_or_default(),
                        text,
                        &format!("{path}.{i}."),
                    )?;
                }
            }
        }
        ty => {
            if !rest.is_empty() {
                return Err(unknown(&format!("{path}.{}", rest.join("."))));
            }
            map.insert(field.name.to_owned(), scalar(ty, text, &path)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CONFIG: &[Field] = &[opt("ResultType", Ty::Str), opt("MaxChunkSize", Ty::Int)];
    const TABLE: &[Field] = &[
        req("FileType", Ty::Str),
        opt("PdfPageNumber", Ty::UInt),
        opt("ItemNames", Ty::StrArray),
        opt("Config", Ty::Obj(CONFIG)),
        opt("Flag", Ty::Bool),
    ];

    fn run(v: Value) -> Result<(), TcError> {
        validate(v.as_object().unwrap(), TABLE)
    }

    #[test]
    fn rules() {
        assert!(run(json!({"FileType": "PDF", "Config": {"ResultType": "0"}})).is_ok());
        let e = run(json!({"FileType": "PDF", "Foo": 1})).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.contains("`Foo`")),
            ("UnknownParameter", true)
        );
        let e = run(json!({"FileType": "PDF", "Config": {"Bar": 1}})).unwrap_err();
        assert!(e.message.contains("`Config.Bar`"));
        assert_eq!(run(json!({})).unwrap_err().code, "MissingParameter");
        assert_eq!(
            run(json!({"FileType": 1})).unwrap_err().code,
            "InvalidParameter"
        );
        assert_eq!(
            run(json!({"FileType": "PDF", "PdfPageNumber": -1}))
                .unwrap_err()
                .code,
            "InvalidParameter"
        );
        assert_eq!(
            run(json!({"FileType": "PDF", "Flag": null}))
                .unwrap_err()
                .code,
            "InvalidParameter"
        );
        let e = run(json!({"FileType": "PDF", "ItemNames": ["a", 2]})).unwrap_err();
        assert!(e.message.contains("ItemNames.1"));
    }

    #[test]
    fn get_queries_are_unflattened() {
        let pairs: Vec<(String, String)> = [
            ("FileType", "PDF"),
            ("ItemNames.0", "a"),
            ("ItemNames.1", "b"),
            ("Config.MaxChunkSize", "100"),
            ("Flag", "true"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        let map = from_query(&pairs, TABLE).unwrap();
        assert_eq!(
            Value::Object(map.clone()),
            json!({"FileType": "PDF", "ItemNames": ["a", "b"], "Config": {"MaxChunkSize": 100}, "Flag": true})
        );
        assert!(validate(&map, TABLE).is_ok());
        let bad = vec![("Nope".to_owned(), "1".to_owned())];
        assert_eq!(
            from_query(&bad, TABLE).unwrap_err().code,
            "UnknownParameter"
        );
    }
}
