//! Which shape a text export has, from its first 64 KiB. Shapes are told from content, never from
//! file names, and a damaged first line must not decide the shape of the whole file: a JSON Lines
//! file whose first line is cut, binary or not JSON at all is still JSON Lines, so that its intact
//! lines load and only the damaged one is rejected.

use serde_json::{Map, Value};

/// How to read a (decompressed, UTF-8) export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// Nothing but whitespace.
    Empty,
    /// One Log Analytics row (or Graph object) per line.
    Rows,
    /// One diagnostic-settings record per line (PT1H.json).
    ResourceRecords,
    /// JSON that is not one object per line: a document (`[...]`, `{"value": ...}`, a query API
    /// response), or objects spread over several lines each.
    Json,
    /// Neither: CSV, or text that is not an export at all.
    Text,
    /// Bytes that are not text.
    Binary,
}

/// The shape of an export that starts with `prefix`; `whole` says the prefix is the whole file
/// (otherwise its last line may be cut short).
pub(crate) fn sniff(prefix: &[u8], whole: bool) -> Sniffed {
    let body = prefix.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(prefix);
    let Some(start) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Sniffed::Empty;
    };
    let body = &body[start..];
    if body[0] == b'[' {
        return Sniffed::Json;
    }
    let complete = if whole {
        body
    } else {
        // A cut last line says nothing; a prefix of one cut line is judged as it is.
        memchr::memrchr(b'\n', body).map_or(body, |end| &body[..end])
    };
    let mut lines = complete
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    if let Some(obj) = json_object(first) {
        return line_kind(&obj);
    }
    // The first line is not an object by itself: either the start of a JSON value written over
    // several lines, or a damaged line followed by (intact) JSON Lines.
    if body[0] == b'{' && starts_multi_line_value(body, whole) {
        return Sniffed::Json;
    }
    let mut objects = 0usize;
    let mut others = 1usize; // the first line
    let mut kind = None;
    for line in lines {
        match json_object(line) {
            Some(obj) => {
                objects += 1;
                kind.get_or_insert_with(|| line_kind(&obj));
            }
            None => others += 1,
        }
    }
    // A CSV header never holds JSON's `":` or `{"`: such a first line is the rest of a cut
    // JSON document.
    let json_first_line = memchr::memmem::find(first, b"\":").is_some()
        || memchr::memmem::find(first, b"{\"").is_some();
    match kind {
        Some(kind) if objects >= others => kind,
        _ if body[0] == b'{' || json_first_line => Sniffed::Json,
        _ if looks_binary(body) => Sniffed::Binary,
        _ => Sniffed::Text,
    }
}

/// Whether `bytes` hold NUL bytes in their first 4 KiB: text exports never do (UTF-16 is decoded
/// before sniffing).
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(4096).any(|b| *b == 0)
}

/// Whether a JSON object (one line of a file) is a whole document rather than a record.
pub(crate) fn is_document(o: &Map<String, Value>) -> bool {
    ["value", "records", "tables"]
        .iter()
        .any(|k| o.get(*k).is_some_and(Value::is_array))
}

/// Whether a record is a diagnostic-settings (resource log) envelope.
pub(crate) fn is_resource_record(obj: &Map<String, Value>) -> bool {
    obj.contains_key("properties") && (obj.contains_key("time") || obj.contains_key("category"))
}

fn json_object(line: &[u8]) -> Option<Map<String, Value>> {
    if line.first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice(line).ok()
}

fn line_kind(obj: &Map<String, Value>) -> Sniffed {
    if is_document(obj) {
        Sniffed::Json
    } else if obj.contains_key("properties") {
        Sniffed::ResourceRecords
    } else {
        Sniffed::Rows
    }
}

/// Whether the JSON value at the start of `body` runs past its first line and is well formed as
/// far as `body` goes (a pretty-printed document or record). A damaged first line of JSON Lines
/// fails to parse before the input ends instead.
fn starts_multi_line_value(body: &[u8], whole: bool) -> bool {
    let mut values = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    match values.next() {
        Some(Ok(_)) => memchr::memchr(b'\n', &body[..values.byte_offset()]).is_some(),
        Some(Err(e)) => e.is_eof() && !whole,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = r#"{"TimeGenerated":"2026-11-20T10:00:00Z","ResultType":"Success"}"#;
    const RECORD: &str =
        r#"{"time":"2026-11-20T10:00:00Z","category":"ProvisioningLogs","properties":{}}"#;

    fn lines(first: &str, rest: &str, n: usize) -> String {
        let mut s = format!("{first}\n");
        for _ in 0..n {
            s.push_str(rest);
            s.push('\n');
        }
        s
    }

    #[test]
    fn intact_json_lines() {
        assert_eq!(sniff(lines(ROW, ROW, 2).as_bytes(), true), Sniffed::Rows);
        assert_eq!(
            sniff(lines(RECORD, RECORD, 2).as_bytes(), true),
            Sniffed::ResourceRecords
        );
    }

    #[test]
    fn a_damaged_first_line_does_not_decide_the_shape() {
        let damaged = [
            "ratedDateTime\":\"2026-11-20T10:00:00Z\",\"ResultType\":\"Success\"}",
            "{\"TimeGenerated\":\"2026-11-20T10:0",
            "{\"TimeGenerated\":\"2026-\u{0}11\"}",
            "not json at all, a, csv, line",
            "{\"TimeGenerated\":\"2026\r",
            "{",
        ];
        for first in damaged {
            assert_eq!(
                sniff(lines(first, ROW, 3).as_bytes(), true),
                Sniffed::Rows,
                "{first:?}"
            );
            assert_eq!(
                sniff(lines(first, RECORD, 3).as_bytes(), false),
                Sniffed::ResourceRecords,
                "{first:?}"
            );
        }
        let invalid_utf8 = [b"{\"a\":\"\xff\xfe\"}\n".as_slice(), ROW.as_bytes(), b"\n"].concat();
        assert_eq!(sniff(&invalid_utf8, true), Sniffed::Rows);
    }

    #[test]
    fn documents_and_multi_line_values() {
        let page = format!("{{\"value\":[{ROW},{ROW}]}}");
        assert_eq!(sniff(page.as_bytes(), true), Sniffed::Json);
        let pretty = "{\n  \"value\": [\n    {\"a\": 1},\n    {\"a\": 2}\n  ]\n}\n";
        assert_eq!(sniff(pretty.as_bytes(), true), Sniffed::Json);
        // Cut inside the document: still a document, not JSON Lines.
        assert_eq!(sniff(&pretty.as_bytes()[..30], false), Sniffed::Json);
        assert_eq!(sniff(b"[{\"a\":1}]", true), Sniffed::Json);
        // jq's output: records over several lines each.
        let jq = "{\n  \"TimeGenerated\": \"x\"\n}\n{\n  \"TimeGenerated\": \"y\"\n}\n";
        assert_eq!(sniff(jq.as_bytes(), true), Sniffed::Json);
    }

    #[test]
    fn csv_binary_and_empty() {
        let csv = "TimeGenerated [UTC],ResultType\n2026-11-20,Success\n2026-11-21,Failure\n";
        assert_eq!(sniff(csv.as_bytes(), true), Sniffed::Text);
        let dynamic = "TimeGenerated [UTC],Details\n2026-11-20,\"{\"\"a\"\":1}\"\n";
        assert_eq!(sniff(dynamic.as_bytes(), true), Sniffed::Text);
        // The tail of a cut query API response.
        let cut = "\"Result\",\"type\":\"string\"}],\"rows\":[[1,2]]}]}";
        assert_eq!(sniff(cut.as_bytes(), true), Sniffed::Json);
        assert_eq!(sniff(b"\x00\x01\x02garbage\n\x00", true), Sniffed::Binary);
        assert_eq!(sniff(b" \n\t\n", true), Sniffed::Empty);
        assert_eq!(sniff(b"\xEF\xBB\xBF", true), Sniffed::Empty);
    }
}
