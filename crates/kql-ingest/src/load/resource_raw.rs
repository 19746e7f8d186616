//! The fast path for diagnostic-settings records: a row read straight from the record's text,
//! with no JSON tree built.
//!
//! Azure writes resource-log records whose nested objects are already in the table's form
//! (`{"Id":…,"Name":…}`, numeric step enums, compact JSON). For such a record every
//! JSON-text column is a slice of the line, and every other column a single token. Whenever
//! anything differs from that form (another casing, string enums, whitespace, a missing part, a
//! non-integer number), the record goes to the general path (`shapes::resource_to_row`), so both
//! paths give the same row by construction; `tests` checks it on records of both kinds.

use kql_functions::json::{for_each_member, string_text};
use std::borrow::Cow;

/// Keys of the envelope and of `properties` that columns come from.
#[derive(Default)]
struct Parts<'a> {
    time: Option<&'a str>,
    tenant: Option<&'a str>,
    operation: Option<&'a str>,
    version: Option<&'a str>,
    category: Option<&'a str>,
    result_type: Option<&'a str>,
    signature: Option<&'a str>,
    description: Option<&'a str>,
    duration: Option<&'a str>,
    correlation: Option<&'a str>,
    identity: Option<&'a str>,
    properties: Option<&'a str>,
    // From `properties`.
    id: Option<&'a str>,
    id_present: bool,
    activity_time: Option<&'a str>,
    p_tenant: Option<&'a str>,
    job: Option<&'a str>,
    cycle: Option<&'a str>,
    change: Option<&'a str>,
    action: Option<&'a str>,
    provisioning_action: Option<&'a str>,
    p_duration: Option<&'a str>,
    service_principal: Option<&'a str>,
    source_system: Option<&'a str>,
    target_system: Option<&'a str>,
    initiated_by: Option<&'a str>,
    source_identity: Option<&'a str>,
    target_identity: Option<&'a str>,
    status: Option<&'a str>,
    status_info: Option<&'a str>,
    steps: Option<&'a str>,
    modified: Option<&'a str>,
    modified_present: bool,
}

/// Sets `slot` once; a key given twice sends the record to the general path.
fn once<'a>(slot: &mut Option<&'a str>, value: &'a str, twice: &mut bool) {
    if slot.is_some() {
        *twice = true;
    }
    // `null` counts as absent, as in the general path.
    *slot = (value != "null").then_some(value);
}

/// The record id (`properties.id`, else `identity`) and the raw value of each column in
/// `names` (`None` for absent), or `None` when the record is not in the table's form. Every
/// value the record holds is checked with [`canonical`] as it is read, so the columns below can
/// copy them as they are.
pub(crate) fn raw_resource_row<'a>(
    line: &'a str,
    names: &[&str],
) -> Option<(Option<String>, Vec<Option<&'a str>>)> {
    let mut p = Parts::default();
    let mut twice = false;
    // One pass over the line: each member's value is validated (and found to be in
    // `serde_json`'s print form) as its end is found; `properties` is walked member by member.
    let line = line.trim_ascii_end();
    let end = members(line, 0, |key, start, b| {
        let slot = match key {
            "time" => &mut p.time,
            "tenantId" => &mut p.tenant,
            "operationName" => &mut p.operation,
            "operationVersion" => &mut p.version,
            "category" => &mut p.category,
            "resultType" => &mut p.result_type,
            "resultSignature" => &mut p.signature,
            "resultDescription" => &mut p.description,
            "durationMs" => &mut p.duration,
            "correlationId" => &mut p.correlation,
            "identity" => &mut p.identity,
            "properties" => {
                twice |= p.properties.is_some();
                let end = members(line, start, |key, start, b| {
                    let end = value_end(b, start, 1)?;
                    let value = line.get(start..end)?;
                    let slot = match key {
                        "id" => {
                            p.id_present = true;
                            &mut p.id
                        }
                        "activityDateTime" => &mut p.activity_time,
                        "tenantId" => &mut p.p_tenant,
                        "jobId" => &mut p.job,
                        "cycleId" => &mut p.cycle,
                        "changeId" => &mut p.change,
                        "action" => &mut p.action,
                        "provisioningAction" => &mut p.provisioning_action,
                        "durationInMilliseconds" => &mut p.p_duration,
                        "servicePrincipal" => &mut p.service_principal,
                        "sourceSystem" => &mut p.source_system,
                        "targetSystem" => &mut p.target_system,
                        "initiatedBy" => &mut p.initiated_by,
                        "sourceIdentity" => &mut p.source_identity,
                        "targetIdentity" => &mut p.target_identity,
                        "provisioningStatusInfo" => &mut p.status,
                        "statusInfo" => &mut p.status_info,
                        "provisioningSteps" => &mut p.steps,
                        "modifiedProperties" => {
                            p.modified_present = true;
                            &mut p.modified
                        }
                        _ => return Some(end),
                    };
                    once(slot, value, &mut twice);
                    Some(end)
                })?;
                p.properties = line.get(start..end);
                return Some(end);
            }
            _ => return value_end(b, start, 0),
        };
        let end = value_end(b, start, 0)?;
        once(slot, line.get(start..end)?, &mut twice);
        Some(end)
    })?;
    if end != line.len() {
        return None;
    }
    if twice {
        return None;
    }
    let record_id = if p.id_present {
        p.id.and_then(string_text).map(Cow::into_owned)
    } else {
        p.identity.and_then(string_text).map(Cow::into_owned)
    };
    let mut values = Vec::with_capacity(names.len());
    for name in names {
        values.push(column(&p, name)?);
    }
    Some((record_id, values))
}

/// A JSON string token (or absent); numbers and objects would print differently as text.
fn text(v: Option<&str>) -> Option<Option<&str>> {
    match v {
        None => Some(None),
        Some(t) if t.starts_with('"') => Some(Some(t)),
        Some(_) => None,
    }
}

/// The first present of `first` and `then`, as text.
fn either<'a>(first: Option<&'a str>, then: Option<&'a str>) -> Option<Option<&'a str>> {
    text(first.or(then))
}

/// The column `name` of the record, as a raw JSON token for the row builder; the outer `None`
/// means "not in the table's form".
fn column<'a>(p: &Parts<'a>, name: &str) -> Option<Option<&'a str>> {
    let constant = |s: &'static str| Some(Some(s));
    match name {
        "TenantId" => constant("\"\""),
        "AADTenantId" => either(p.tenant, p.p_tenant),
        "TimeGenerated" => either(p.time, p.activity_time),
        "OperationName" => match p.operation {
            Some(_) => text(p.operation),
            None => constant("\"Provisioning activity\""),
        },
        "OperationVersion" => match p.version {
            Some(_) => text(p.version),
            None => constant("\"1.0\""),
        },
        "Category" => match p.category {
            Some(_) => text(p.category),
            None => constant("\"ProvisioningLogs\""),
        },
        "ResultType" => Some(Some(text(p.result_type)??)),
        "ResultSignature" => match p.signature {
            Some(_) => text(p.signature),
            None => error_part(p.status, "errorCode"),
        },
        "ResultDescription" => match p.description {
            Some(_) => text(p.description),
            None => error_part(p.status, "reason"),
        },
        "DurationMs" => match p.p_duration.or(p.duration) {
            Some(t) if t.starts_with('"') || t.bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
                Some(Some(t))
            }
            Some(_) => None,
            None => Some(None),
        },
        "CorrelationId" => either(p.correlation, p.change),
        // `Action` is the PascalCase form; a token that already starts in upper case is it.
        "Action" => {
            let t = text(p.action)??;
            let first = t.as_bytes().get(1)?;
            (first.is_ascii_uppercase() || *first == b'"').then_some(Some(t))
        }
        "ChangeId" => text(p.change),
        "CycleId" => text(p.cycle),
        "Id" => text(p.id),
        "JobId" => text(p.job),
        "ProvisioningAction" => text(p.provisioning_action),
        "InitiatedBy" => shaped(p.initiated_by, &INITIATED_BY),
        "ServicePrincipal" => shaped(p.service_principal, &ID_NAME),
        "SourceSystem" => shaped(p.source_system, &SYSTEM),
        "TargetSystem" => shaped(p.target_system, &SYSTEM),
        "SourceIdentity" => shaped(p.source_identity, &IDENTITY),
        "TargetIdentity" => shaped(p.target_identity, &IDENTITY),
        "ProvisioningStatusInfo" => {
            let t = p.status?;
            has_keys(t, &STATUS).then_some(Some(t))
        }
        "StatusInfo" => {
            let t = p.status_info?;
            t.starts_with(['{', '[']).then_some(Some(t))
        }
        "ProvisioningSteps" => match p.steps {
            None => constant("[]"),
            Some(t) => (t.starts_with('[') && steps_in_form(t)).then_some(Some(t)),
        },
        "ModifiedProperties" => match p.modified {
            None if !p.modified_present => constant("[]"),
            None => constant("\"\""),
            Some(t) => t.starts_with(['{', '[']).then_some(Some(t)),
        },
        "Type" => constant("\"AADProvisioningLogs\""),
        _ => None,
    }
}

/// What a nested object must hold, in order: key and kind of value.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A JSON string.
    Text,
    /// A JSON string with no upper-case letter (the general path lower-cases it).
    Lower,
    /// A JSON object.
    Object,
    /// An integer.
    Integer,
    /// `null` or an object.
    ObjectOrNull,
}

const ID_NAME: [(&str, Kind); 2] = [("Id", Kind::Text), ("Name", Kind::Text)];
const SYSTEM: [(&str, Kind); 3] = [
    ("Id", Kind::Text),
    ("Name", Kind::Text),
    ("details", Kind::Object),
];
const IDENTITY: [(&str, Kind); 4] = [
    ("identityType", Kind::Text),
    ("details", Kind::Object),
    ("Id", Kind::Text),
    ("Name", Kind::Text),
];
const INITIATED_BY: [(&str, Kind); 3] = [
    ("Type", Kind::Lower),
    ("Id", Kind::Text),
    ("Name", Kind::Text),
];
const STATUS: [(&str, Kind); 2] = [
    ("Status", Kind::Lower),
    ("errorInformation", Kind::ObjectOrNull),
];
const STEP: [(&str, Kind); 5] = [
    ("name", Kind::Text),
    ("provisioningStepType", Kind::Integer),
    ("status", Kind::Integer),
    ("description", Kind::Text),
    ("details", Kind::Object),
];

/// An object column: absent is the empty string; present, it must already be in `form`.
fn shaped<'a>(v: Option<&'a str>, form: &[(&str, Kind)]) -> Option<Option<&'a str>> {
    match v {
        None => Some(Some("\"\"")),
        Some(t) => has_keys(t, form).then_some(Some(t)),
    }
}

/// Whether the object `t` has exactly the keys of `form`, in order, with values of their kinds.
fn has_keys(t: &str, form: &[(&str, Kind)]) -> bool {
    let mut at = 0;
    let mut ok = true;
    let walked = for_each_member(t, |key, value| {
        let Some((want, kind)) = form.get(at) else {
            ok = false;
            return;
        };
        at += 1;
        let b = value.as_bytes().first().copied().unwrap_or(b' ');
        ok &= key == *want
            && match kind {
                Kind::Text => b == b'"',
                Kind::Lower => b == b'"' && value.to_lowercase() == value,
                Kind::Object => b == b'{',
                Kind::Integer => b == b'-' || b.is_ascii_digit(),
                Kind::ObjectOrNull => b == b'{' || value == "null",
            };
    });
    walked.is_some() && ok && at == form.len()
}

/// Whether every element of the array `t` is a step in the table's form.
fn steps_in_form(t: &str) -> bool {
    kql_functions::json::array_elements(t)
        .is_some_and(|items| items.iter().all(|s| has_keys(s, &STEP)))
}

/// `errorCode` or `reason` of `provisioningStatusInfo.errorInformation` as text ("" when there
/// is no error information).
fn error_part<'a>(status: Option<&'a str>, key: &str) -> Option<Option<&'a str>> {
    let Some(status) = status else {
        return Some(Some("\"\""));
    };
    let info = kql_functions::json::value_of_key(status, "errorInformation");
    match info {
        None | Some("null") => Some(Some("\"\"")),
        Some(info) => text(kql_functions::json::value_of_key(info, key)),
    }
}

/// Whether `t` is valid JSON printed as `serde_json` prints it: no whitespace between tokens,
/// strings escaped only where `serde_json` escapes, integers only (other numbers may print
/// differently once parsed). Copying such text is the same as parsing and printing it.
#[cfg(test)]
fn canonical(t: &str) -> bool {
    let b = t.as_bytes();
    value_end(b, 0, 0) == Some(b.len())
}

/// Walks the compact object starting at `i`: for each member, `f(key, value_start, bytes)`
/// returns the end of the value (`None` stops the walk). Keys with escapes are refused (an
/// escaped key may spell a known one, which the general path would unescape). Returns the end
/// of the object.
fn members<'a>(
    line: &'a str,
    i: usize,
    mut f: impl FnMut(&'a str, usize, &'a [u8]) -> Option<usize>,
) -> Option<usize> {
    let b = line.as_bytes();
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut j = i + 1;
    if b.get(j) == Some(&b'}') {
        return Some(j + 1);
    }
    loop {
        if b.get(j) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(b, j)?;
        let key = line.get(j + 1..key_end - 1)?;
        if key.contains('\\') || b.get(key_end) != Some(&b':') {
            return None;
        }
        j = f(key, key_end + 1, b)?;
        match b.get(j)? {
            b',' => j += 1,
            b'}' => return Some(j + 1),
            _ => return None,
        }
    }
}

/// Deepest nesting checked here; deeper values take the general path.
const MAX_DEPTH: usize = 64;

fn value_end(b: &[u8], i: usize, depth: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' if depth < MAX_DEPTH => {
            let mut j = i + 1;
            if b.get(j) == Some(&b'}') {
                return Some(j + 1);
            }
            loop {
                if b.get(j) != Some(&b'"') {
                    return None;
                }
                j = string_end(b, j)?;
                if b.get(j) != Some(&b':') {
                    return None;
                }
                j = value_end(b, j + 1, depth + 1)?;
                match b.get(j)? {
                    b',' => j += 1,
                    b'}' => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b'[' if depth < MAX_DEPTH => {
            let mut j = i + 1;
            if b.get(j) == Some(&b']') {
                return Some(j + 1);
            }
            loop {
                j = value_end(b, j, depth + 1)?;
                match b.get(j)? {
                    b',' => j += 1,
                    b']' => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b't' => b[i..].starts_with(b"true").then_some(i + 4),
        b'f' => b[i..].starts_with(b"false").then_some(i + 5),
        b'n' => b[i..].starts_with(b"null").then_some(i + 4),
        b'-' | b'0'..=b'9' => {
            let negative = b[i] == b'-';
            let start = i + usize::from(negative);
            let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = start + digits;
            let leading_zero = digits > 1 && b[start] == b'0';
            let fits = digits > 0
                && digits <= 18
                && !leading_zero
                && !(negative && b[start..end] == *b"0");
            let more = matches!(b.get(end), Some(b'.' | b'e' | b'E'));
            (fits && !more).then_some(end)
        }
        _ => None,
    }
}

/// The first byte of `b[from..]` that a string scan must stop at: `"`, `\\` or a control
/// character. Eight bytes at a time: most of a record is inside strings.
fn next_special(b: &[u8], mut from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(from..from + 8) {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        // A byte is flagged when it is zero after the xor (a match) or below 0x20; the lowest
        // flag is exact (borrows only run upwards).
        let hit = (quote.wrapping_sub(ONES) & !quote
            | slash.wrapping_sub(ONES) & !slash
            | w.wrapping_sub(ONES * 0x20) & !w)
            & HIGH;
        if hit != 0 {
            return Some(from + (hit.trailing_zeros() / 8) as usize);
        }
        from += 8;
    }
    b.get(from..)?
        .iter()
        .position(|c| *c == b'"' || *c == b'\\' || *c < 0x20)
        .map(|k| from + k)
}

/// End of the string token at `i`, if it is escaped as `serde_json` escapes.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let k = next_special(b, j)?;
        match b[k] {
            b'"' => return Some(k + 1),
            b'\\' => {}
            _ => return None,
        }
        match *b.get(k + 1)? {
            b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => j = k + 2,
            b'u' => {
                // serde_json writes `\u00xx` (lower-case hex) for control characters only.
                let hex = b.get(k + 2..k + 6)?;
                let control = hex[0] == b'0'
                    && hex[1] == b'0'
                    && matches!(hex[2], b'0' | b'1')
                    && matches!(hex[3], b'0'..=b'9' | b'a'..=b'f');
                let short = matches!(&hex[2..], b"08" | b"09" | b"0a" | b"0c" | b"0d");
                if !control || short {
                    return None;
                }
                j = k + 6;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;
    use crate::generate::{GenOptions, Shape, rows, write};
    use crate::load::builder::RowBuilder;
    use crate::load::shapes::{record_id, resource_to_row};
    use kql_functions::value::json_value;
    use serde_json::{Map, Value};

    /// The row of `line` by the general path and by the fast path (if it takes the record), as
    /// JSON cells, with the record ids.
    fn both(
        line: &str,
    ) -> (
        Vec<Value>,
        Option<Vec<Value>>,
        Option<String>,
        Option<String>,
    ) {
        let schema = crate::tables::aad_provisioning_logs();
        let names: Vec<&str> = schema.names().collect();
        let cells = |b: &mut RowBuilder| {
            let batch = b.finish().unwrap();
            (0..batch.num_columns())
                .map(|i| json_value(batch.column(i), 0, schema.fields[i].ty))
                .collect::<Vec<_>>()
        };
        let rec: Map<String, Value> = serde_json::from_str(line).unwrap();
        let row = resource_to_row(&rec);
        let mut general = RowBuilder::new(schema.clone());
        general.append(|c| row.get(c)).unwrap();
        let fast = raw_resource_row(line, &names).map(|(id, values)| {
            let mut b = RowBuilder::new(schema.clone());
            b.append_raw(&values).unwrap();
            (id, cells(&mut b))
        });
        let (fast_id, fast_cells) = fast.map_or((None, None), |(id, c)| (id, Some(c)));
        (cells(&mut general), fast_cells, record_id(&rec), fast_id)
    }

    fn generated() -> Vec<String> {
        let table = rows(&GenOptions {
            rows: 300,
            seed: 11,
            start: crate::generate::DEMO_START,
            days: 2,
        });
        write(&table, Shape::ResourceLog)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn records_in_the_table_form_take_the_fast_path_to_the_same_row() {
        for line in generated() {
            let (general, fast, id, fast_id) = both(&line);
            assert_eq!(fast.as_ref(), Some(&general), "{line}");
            assert_eq!(fast_id, id);
        }
    }

    #[test]
    fn records_in_other_forms_take_the_general_path() {
        let line = generated().swap_remove(7);
        let variants = [
            // Whitespace, as a pretty printer writes it.
            line.replacen("\"properties\":{", "\"properties\": {", 1),
            // Graph casing inside an identity.
            line.replacen("\"Id\":", "\"id\":", 1),
            // A string step enum.
            line.replacen(
                "\"provisioningStepType\":0",
                "\"provisioningStepType\":\"import\"",
                1,
            ),
            // A key spelled with an escape.
            line.replacen("\"resultType\"", "\"result\\u0054ype\"", 1),
            // A key given twice (the general path keeps the last).
            line.replacen("\"category\":", "\"category\":\"First\",\"category\":", 1),
            // A real number, which the general path prints its own way.
            line.replacen("\"Level\":4", "\"Level\":4.50", 1),
            // An escape serde_json would not write.
            line.replacen("\"ProvisioningLogs\"", "\"Provisioning\\/Logs\"", 1),
        ];
        for v in variants {
            assert_ne!(v, line, "the variant must change the record");
            let (_, fast, _, _) = both(&v);
            assert_eq!(fast, None, "{v}");
        }
        // Without an envelope result type or `action`, the general path computes them.
        let bare = line.replacen("\"action\":", "\"ignored\":", 1);
        assert_eq!(both(&bare).1, None);
    }

    #[test]
    fn canonical_is_serde_json_print_form() {
        for ok in [
            r#"{"a":[1,-2,true,null,"x\"y\\z\n\u001f"]}"#,
            "[]",
            "{}",
            "0",
        ] {
            assert!(canonical(ok), "{ok}");
            let v: Value = serde_json::from_str(ok).unwrap();
            assert_eq!(v.to_string(), ok);
        }
        for not in [
            "{ }",
            "[1.0]",
            "[1e3]",
            "[01]",
            "[-0]",
            r#"["\u0041"]"#,
            r#"["\/"]"#,
            "[1,]",
            "{\"a\"}",
            "\"\u{1}\"",
        ] {
            assert!(!canonical(not), "{not}");
        }
    }

    #[test]
    fn string_scan_finds_the_first_stop_in_any_position() {
        for len in 0..20 {
            for stop in [b'"', b'\\', 0x1f] {
                let mut b = vec![b'a'; len];
                b.push(stop);
                b.extend_from_slice(b"\"\"\"");
                assert_eq!(next_special(&b, 0), Some(len), "{len} {stop}");
            }
        }
        assert_eq!(next_special("é€😀abc".as_bytes(), 0), None);
    }
}
