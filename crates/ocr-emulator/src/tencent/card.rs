//! Card verification (OCR international): ApplyCardVerificationExternal issues a token,
//! GetCardVerificationExternalResult answers `PROCESSING` until the task is done, then
//! `PASSED` (or `WARNING` with `WarnInfo`) and the recognised GeneralCard.

use std::sync::Arc;

use axum::response::Response;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::call::{document, one_source, Call, Source};
use super::envelope::{fields, ok, TcError};
use super::params::{opt, req, Field, Ty};
use crate::content::{Document, Format, Unreadable};
use crate::tasks::{Phase, TaskTable, Timeline};

/// ApplyCardVerificationExternal parameters (spec §6.2).
pub(crate) const APPLY: &[Field] = &[
    req("Nationality", Ty::Str),
    req("CardType", Ty::Str),
    opt("ImageBase64Front", Ty::Str),
    opt("ImageBase64Back", Ty::Str),
    opt("ImageUrlFront", Ty::Str),
    opt("ImageUrlBack", Ty::Str),
    opt("ReturnHeadImage", Ty::Bool),
    opt("WebhookUrl", Ty::Str),
];

/// GetCardVerificationExternalResult parameters (spec §6.3).
pub(crate) const GET_RESULT: &[Field] = &[req("CardVerificationToken", Ty::Str)];

const CARD_TYPES: &[&str] = &["ID_CARD", "PASSPORT", "DRIVING_LICENSE", "RESIDENCE_PERMIT"];

/// (ISO alpha-3, country name, card types whose back side is required).
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    ("ARG", "Argentina", &["DRIVING_LICENSE", "ID_CARD"]),
    (
        "AUS",
        "Australia",
        &["DRIVING_LICENSE", "ID_CARD", "RESIDENCE_PERMIT"],
    ),
    ("BGD", "Bangladesh", &["DRIVING_LICENSE", "ID_CARD"]),
    ("KHM", "Cambodia", &["DRIVING_LICENSE", "ID_CARD"]),
    (
        "CAN",
        "Canada",
        &["ID_CARD", "PASSPORT", "RESIDENCE_PERMIT"],
    ),
    ("CHL", "Chile", &["DRIVING_LICENSE", "ID_CARD"]),
    (
        "DEU",
        "Germany",
        &["DRIVING_LICENSE", "ID_CARD", "RESIDENCE_PERMIT"],
    ),
    ("MEX", "Mexico", &["ID_CARD"]),
    ("MMR", "Myanmar", &["ID_CARD"]),
    ("NZL", "New Zealand", &["DRIVING_LICENSE"]),
    (
        "NGA",
        "Nigeria",
        &["DRIVING_LICENSE", "ID_CARD", "RESIDENCE_PERMIT"],
    ),
    ("PAK", "Pakistan", &["DRIVING_LICENSE", "ID_CARD"]),
    ("RUS", "Russia", &["DRIVING_LICENSE"]),
    (
        "SGP",
        "Singapore",
        &["DRIVING_LICENSE", "ID_CARD", "RESIDENCE_PERMIT"],
    ),
    ("IDN", "Indonesia", &[]),
    ("HKG", "Hong Kong (China)", &["ID_CARD"]),
    ("THA", "Thailand", &["DRIVING_LICENSE"]),
    ("MYS", "Malaysia", &["ID_CARD", "DRIVING_LICENSE"]),
    ("PHL", "Philippines", &["ID_CARD"]),
    ("JPN", "Japan", &["ID_CARD"]),
    ("MAC", "Macau (China)", &["ID_CARD"]),
    ("TWN", "Taiwan (China)", &["ID_CARD"]),
];

/// Warnings a document may carry (`WarnInfo: …` lines in its text).
const WARNINGS: &[&str] = &[
    "ScreenshotSuspected",
    "RetakeSuspected",
    "PaperCopy",
    "FakeSuspected",
    "PoorImageQuality",
    "InformationVerificationFailed",
    "TooManyCards",
    "IncompleteCard",
    "OtherWarning",
];

/// A card verification in progress.
#[derive(Clone)]
pub(crate) struct CardTask {
    timeline: Timeline,
    nationality: String,
    card_type: String,
    front: Arc<Document>,
    back: Option<Arc<Document>>,
    return_head: bool,
    failure: Option<(String, String)>,
}

/// Card verification tasks by token.
pub(crate) type CardTasks = TaskTable<String, CardTask>;

fn bad_value(message: impl Into<String>) -> TcError {
    TcError::new("InvalidParameterValue.InvalidParameterValueLimit", message)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApplyRequest {
    nationality: String,
    card_type: String,
    return_head_image: Option<bool>,
    webhook_url: Option<String>,
}

fn load_side(
    call: &Call<'_>,
    source: &Source,
    side: &str,
    return_head: bool,
) -> Result<Document, TcError> {
    let decode = "InvalidParameter.EngineImageDecodeFailed";
    if let Source::Url(url) = source {
        super::call::check_url(
            url,
            &format!("ImageUrl{side}"),
            "ResourceUnavailable.ImageDownloadError",
        )?;
    }
    let doc = document(call.shared, source, &format!("{}.jpg", side.to_lowercase()));
    match &doc.unreadable {
        Some(Unreadable::Unreachable(reason)) => {
            return Err(TcError::new(
                "FailedOperation.DownLoadError",
                format!("The {side} image could not be downloaded: {reason}."),
            ))
        }
        Some(Unreadable::Damaged(reason)) => {
            return Err(TcError::new(
                decode,
                format!("The {side} image could not be decoded: {reason}."),
            ))
        }
        None => {}
    }
    if let Source::Bytes(_) = source {
        let allowed: &[Format] = if return_head {
            &[Format::Png, Format::Jpeg, Format::Bmp]
        } else {
            &[Format::Png, Format::Jpeg]
        };
        if !allowed.contains(&doc.format) {
            return Err(TcError::new(
                decode,
                format!(
                    "The {side} image must be {} (detected `{}`).",
                    allowed
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                    doc.format.name()
                ),
            ));
        }
        if let Some((w, h)) = doc.image_size {
            let (min, max) = match (return_head, doc.format) {
                (false, _) => (256, 4096),
                (true, Format::Jpeg) => (64, 4000),
                (true, _) => (64, 2000),
            };
            if w.min(h) < min || w.max(h) > max {
                return Err(bad_value(format!(
                    "The {side} image is {w}x{h} px; sides must be between {min} and {max} px."
                )));
            }
        }
    }
    Ok(doc)
}

/// ApplyCardVerificationExternal.
pub(crate) fn apply(call: &Call<'_>, tasks: &CardTasks) -> Result<Response, TcError> {
    let req: ApplyRequest = call.typed()?;
    if !CARD_TYPES.contains(&req.card_type.as_str()) {
        return Err(bad_value(format!(
            "`CardType` `{}` is not one of: {}.",
            req.card_type,
            CARD_TYPES.join(", ")
        )));
    }
    if req.nationality.len() != 3 || !req.nationality.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad_value(format!(
            "`Nationality` `{}` is not an ISO 3166-1 alpha-3 code.",
            req.nationality
        )));
    }
    if let Some(url) = &req.webhook_url {
        super::call::check_url(
            url,
            "WebhookUrl",
            "InvalidParameterValue.InvalidParameterValueLimit",
        )?;
    }
    let return_head = req.return_head_image.unwrap_or(false);
    let limit = if return_head { 5 } else { 2 } * 1024 * 1024;
    let size_code = "FailedOperation.ImageSizeTooLarge";
    let decode = "InvalidParameter.EngineImageDecodeFailed";
    let front = one_source(
        &call.params,
        "ImageUrlFront",
        "ImageBase64Front",
        limit,
        size_code,
        decode,
        true,
    )?
    .ok_or_else(|| {
        TcError::new(
            "MissingParameter",
            "One of `ImageUrlFront` or `ImageBase64Front` is required.",
        )
    })?;
    let back = one_source(
        &call.params,
        "ImageUrlBack",
        "ImageBase64Back",
        limit,
        size_code,
        decode,
        false,
    )?;
    let back_required = COUNTRIES
        .iter()
        .find(|(code, _, _)| *code == req.nationality)
        .is_some_and(|(_, _, types)| types.contains(&req.card_type.as_str()));
    if back_required && back.is_none() {
        return Err(bad_value(format!(
            "A {} of {} needs its back side: send `ImageUrlBack` or `ImageBase64Back`.",
            req.card_type, req.nationality
        )));
    }
    let front = load_side(call, &front, "Front", return_head)?;
    let back = back
        .map(|b| load_side(call, &b, "Back", return_head))
        .transpose()?;
    let token = call.shared.ids.uuid();
    let failure = call.shared.take_task_failure(call.service, call.action);
    tasks.insert(
        token.clone(),
        CardTask {
            timeline: Timeline::new(
                call.shared.clock.now_millis(),
                call.shared.config.durations.card,
            ),
            nationality: req.nationality,
            card_type: req.card_type,
            front: Arc::new(front),
            back: back.map(Arc::new),
            return_head,
            failure,
        },
    );
    call.shared
        .recorder
        .count_submission(call.service, call.action);
    Ok(ok(
        call.shared,
        fields(json!({ "CardVerificationToken": token })),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetRequest {
    card_verification_token: String,
}

/// GetCardVerificationExternalResult.
pub(crate) fn get_result(call: &Call<'_>, tasks: &CardTasks) -> Result<Response, TcError> {
    let req: GetRequest = call.typed()?;
    let token = req.card_verification_token;
    let task = tasks.get(&token).ok_or_else(|| {
        bad_value(format!(
            "`CardVerificationToken` `{token}` does not exist or has expired."
        ))
    })?;
    let phase = task.timeline.phase(call.shared.clock.now_millis());
    if phase != Phase::Done {
        return Ok(ok(
            call.shared,
            fields(json!({
                "Status": "PROCESSING",
                "WarnInfo": null,
                "Nationality": null,
                "CardInfo": null,
                "BackCardInfo": null,
                "CardVerificationToken": token,
                "HeadImageBase64": "",
            })),
        ));
    }
    if let Some((code, message)) = &task.failure {
        return Err(TcError::new(code.clone(), message.clone()));
    }
    let warnings: Vec<String> = warnings(&task.front);
    let head = if task.return_head {
        let seed = task.front.digest[0];
        base64::engine::general_purpose::STANDARD
            .encode(crate::artifacts::png::png(64, 80, "", seed))
    } else {
        String::new()
    };
    Ok(ok(
        call.shared,
        fields(json!({
            "Status": if warnings.is_empty() { "PASSED" } else { "WARNING" },
            "WarnInfo": if warnings.is_empty() { Value::Null } else { json!(warnings) },
            "Nationality": task.nationality,
            "CardInfo": general_card(&task, &task.front, "front"),
            "BackCardInfo": task.back.as_ref().map_or(Value::Null, |b| general_card(&task, b, "back")),
            "CardVerificationToken": token,
            "HeadImageBase64": head,
        })),
    ))
}

fn warnings(doc: &Document) -> Vec<String> {
    doc.fields()
        .into_iter()
        .filter(|f| f.key.eq_ignore_ascii_case("WarnInfo"))
        .flat_map(|f| {
            f.value
                .split(',')
                .map(|w| w.trim().to_owned())
                .filter(|w| WARNINGS.contains(&w.as_str()))
                .collect::<Vec<_>>()
        })
        .collect()
}

const GENERAL_CARD_FIELDS: &[&str] = &[
    "LicenseNumber",
    "PersonalNumber",
    "FullName",
    "FullNameLocal",
    "FirstName",
    "FirstNameLocal",
    "MiddleName",
    "MiddleNameLocal",
    "LastName",
    "LastNameLocal",
    "Sex",
    "Birthday",
    "BirthPlace",
    "IssuedDate",
    "IssuedAuthority",
    "IssuedPlace",
    "IssuedCountry",
    "IssuedCountryCode",
    "ExpirationDate",
    "MRZLine1",
    "MRZLine2",
    "Nationality",
    "Religion",
    "Type",
    "BloodType",
    "Height",
    "Weight",
    "VehicleClass",
    "Restrictions",
    "Endorsement",
    "Others",
    "PassportCodeFirst",
    "PassportCodeSecond",
    "DueDate",
    "Age",
    "RegistrationNumber",
];

const ADDRESS_FIELDS: &[&str] = &[
    "Country",
    "PostalCode",
    "Subdivision",
    "District",
    "City",
    "Subdistrict",
    "FormattedAddress",
    "LineOne",
    "LineTwo",
    "LineThree",
    "LineFour",
    "LineFive",
];

const FIRST: &[&str] = &[
    "IVY ROSE",
    "JUAN",
    "MEI",
    "OLUWASEUN",
    "HANNA",
    "RAVI",
    "SOFIA",
    "KENJI",
];
const LAST: &[&str] = &[
    "GOLIMLIM", "GARCIA", "TAN", "ADEYEMI", "SCHMIDT", "KUMAR", "ROSSI", "SATO",
];

fn key_of(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A plausible GeneralCard: `Key: Value` lines named like its fields win, the rest is
/// derived from the document's hash.
fn general_card(task: &CardTask, doc: &Document, side: &str) -> Value {
    let b: [u8; 32] = Sha256::digest(doc.digest).into();
    fn pick(list: &[&'static str], i: u8) -> &'static str {
        list.get(usize::from(i) % list.len().max(1))
            .copied()
            .unwrap_or("")
    }
    let first = pick(FIRST, b[0]);
    let last = pick(LAST, b[1]);
    let number = format!(
        "{}{:07}",
        char::from(b'A' + b[2] % 26),
        u32::from_le_bytes([b[3], b[4], b[5], 0]) % 10_000_000
    );
    let birth = format!(
        "{}-{:02}-{:02}",
        1950 + u32::from(b[6] % 50),
        1 + b[7] % 12,
        1 + b[8] % 28
    );
    let issued_year = 2015 + u32::from(b[9] % 10);
    let issued = format!("{issued_year}-{:02}-{:02}", 1 + b[10] % 12, 1 + b[11] % 28);
    let expires = format!(
        "{}-{:02}-{:02}",
        issued_year + 10,
        1 + b[10] % 12,
        1 + b[11] % 28
    );
    let country = COUNTRIES
        .iter()
        .find(|(c, _, _)| *c == task.nationality)
        .map_or(task.nationality.as_str(), |(_, name, _)| name);
    let sex = if b[12].is_multiple_of(2) { "F" } else { "M" };
    let mrz = |first: &str, last: &str| -> (String, String) {
        if task.card_type != "PASSPORT" {
            return (String::new(), String::new());
        }
        let name = format!("{}<<{}", last.replace(' ', "<"), first.replace(' ', "<"));
        let line1 = format!("P<{}{name:<<39}", task.nationality);
        let line2 = format!("{number:<<9}0{}{:<<30}", task.nationality, "");
        (
            line1.chars().take(44).collect(),
            line2.chars().take(44).collect(),
        )
    };
    let (mrz1, mrz2) = mrz(first, last);
    let mut card: Map<String, Value> = Map::new();
    let defaults: &[(&str, String)] = &[
        ("LicenseNumber", number.clone()),
        ("PersonalNumber", number.clone()),
        ("FullName", format!("{last} {first}")),
        ("FullNameLocal", format!("{last} {first}")),
        ("FirstName", first.to_owned()),
        ("FirstNameLocal", first.to_owned()),
        ("LastName", last.to_owned()),
        ("LastNameLocal", last.to_owned()),
        ("Sex", sex.to_owned()),
        ("Birthday", birth),
        ("IssuedDate", issued),
        ("IssuedCountry", country.to_owned()),
        ("IssuedCountryCode", task.nationality.clone()),
        ("ExpirationDate", expires),
        ("MRZLine1", mrz1),
        ("MRZLine2", mrz2),
        ("Nationality", task.nationality.clone()),
        (
            "Type",
            match task.card_type.as_str() {
                "PASSPORT" => "P",
                "DRIVING_LICENSE" => "DL",
                "RESIDENCE_PERMIT" => "PR",
                _ => "ID",
            }
            .to_owned(),
        ),
        ("Others", json!({ "side": side }).to_string()),
    ];
    for name in GENERAL_CARD_FIELDS {
        let value = defaults
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        card.insert((*name).to_owned(), Value::String(value));
    }
    let mut address: Map<String, Value> = ADDRESS_FIELDS
        .iter()
        .map(|f| ((*f).to_owned(), Value::String(String::new())))
        .collect();
    address.insert("Country".to_owned(), Value::String(country.to_owned()));
    for field in doc.fields() {
        let key = key_of(&field.key);
        if let Some(name) = GENERAL_CARD_FIELDS.iter().find(|n| key_of(n) == key) {
            card.insert((*name).to_owned(), Value::String(field.value.clone()));
        } else if let Some(name) = ADDRESS_FIELDS.iter().find(|n| key_of(n) == key) {
            address.insert((*name).to_owned(), Value::String(field.value.clone()));
        } else if key == "address" {
            address.insert(
                "FormattedAddress".to_owned(),
                Value::String(field.value.clone()),
            );
        }
    }
    card.insert("Address".to_owned(), Value::Object(address));
    Value::Object(card)
}
