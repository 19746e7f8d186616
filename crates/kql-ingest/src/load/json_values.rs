//! Reading JSON that is damaged part way: where a document's items end, where the damage is,
//! and where the next record starts. A cut Graph page keeps the items before the cut; a broken
//! record among records written one after another costs only itself.

use super::Rejection;
use serde_json::Value;

/// Line numbers of byte offsets.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(body: &[u8]) -> Lines {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', body).map(|p| p + 1))
            .collect();
        Lines { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset)
    }
}

/// The offset of the next value at or after `pos` (skipping whitespace, and the separators and
/// closing brackets of a document left behind after a damaged item), if any.
pub(crate) fn next_value(body: &[u8], pos: usize) -> Option<usize> {
    body.get(pos..)?
        .iter()
        .position(|b| !b.is_ascii_whitespace() && !matches!(b, b',' | b']' | b'}'))
        .map(|p| pos + p)
}

/// The items of a damaged document that parse, up to the first that does not.
pub(crate) struct Salvaged {
    /// Each item with the offset where it starts.
    pub items: Vec<(usize, Value)>,
    /// Items are resource-log records (an Event Hub body, or an array of such records).
    pub resource: bool,
    pub shape: &'static str,
    /// Where the first item that does not parse starts (or where the array itself breaks).
    pub error_at: usize,
}

/// The items that parse of the document starting at `start`: a top-level array, or an object
/// whose `value` (a Graph page) or `records` (an Event Hub body) array holds the records. `None`
/// when the value is neither.
pub(crate) fn salvage_items(body: &[u8], start: usize) -> Option<Salvaged> {
    let (open, resource, shape) = records_array(body, start)?;
    let (items, error_at) = array_items::<Value>(body, open);
    let resource = resource.unwrap_or_else(|| {
        items
            .first()
            .and_then(|(_, v)| v.as_object())
            .is_some_and(|o| o.contains_key("properties"))
    });
    Some(Salvaged {
        items,
        resource,
        shape,
        error_at,
    })
}

/// Where each item of the records array of the (whole) document at `start` starts: found
/// again only when an item was rejected, so that it is named by its line.
pub(crate) fn item_starts(body: &[u8], start: usize) -> Vec<usize> {
    records_array(body, start).map_or_else(Vec::new, |(open, ..)| {
        let (items, _) = array_items::<serde::de::IgnoredAny>(body, open);
        items.into_iter().map(|(at, _)| at).collect()
    })
}

/// Where the array holding the records of the document at `start` opens; whether its items are
/// resource-log records (`None`: judge by the first), and the document's shape.
fn records_array(body: &[u8], start: usize) -> Option<(usize, Option<bool>, &'static str)> {
    match body[start] {
        b'[' => Some((start, None, "JSON array (portal download)")),
        b'{' => [
            (&b"\"value\""[..], false, "Microsoft Graph page"),
            (&b"\"records\""[..], true, "Event Hub body"),
        ]
        .into_iter()
        .filter_map(|(key, resource, shape)| {
            let at = memchr::memmem::find(&body[start..], key)? + start + key.len();
            let open = skip_ws(body, at)
                .filter(|p| body[*p] == b':')
                .and_then(|p| skip_ws(body, p + 1))
                .filter(|p| body[*p] == b'[')?;
            Some((open, Some(resource), shape))
        })
        .min_by_key(|(open, ..)| *open),
        _ => None,
    }
}

/// The items of the array opening at `open` that parse, each with its offset, and where the
/// first that does not (or the array itself) breaks.
fn array_items<T: serde::de::DeserializeOwned>(
    body: &[u8],
    open: usize,
) -> (Vec<(usize, T)>, usize) {
    let mut items = Vec::new();
    let mut pos = open + 1;
    let error_at = loop {
        let Some(item) = skip_ws(body, pos) else {
            break body.len();
        };
        if body[item] == b']' && items.is_empty() {
            break item;
        }
        let mut values = serde_json::Deserializer::from_slice(&body[item..]).into_iter::<T>();
        match values.next() {
            Some(Ok(v)) => items.push((item, v)),
            _ => break item,
        }
        match skip_ws(body, item + values.byte_offset()) {
            Some(p) if body[p] == b',' => pos = p + 1,
            Some(p) => break p,
            None => break body.len(),
        }
    };
    (items, error_at)
}

fn skip_ws(body: &[u8], pos: usize) -> Option<usize> {
    body.get(pos..)?
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|p| pos + p)
}

/// Where serde_json's error `e`, parsing the value at `start`, is in `body`.
pub(crate) fn error_offset(body: &[u8], start: usize, e: &serde_json::Error) -> usize {
    let rest = &body[start..];
    let line_start = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', rest).map(|p| p + 1))
        .nth(e.line().saturating_sub(1))
        .unwrap_or(rest.len());
    (start + line_start + e.column().saturating_sub(1)).min(body.len())
}

/// The rejection of the damaged part of the value at `start`, which breaks at `error_at`.
pub(crate) fn rejection(body: &[u8], lines: &Lines, start: usize, error_at: usize) -> Rejection {
    let mut values = serde_json::Deserializer::from_slice(&body[start..]).into_iter::<Value>();
    let reason = match values.next() {
        Some(Err(e)) if e.is_eof() => {
            "not valid JSON: the file ends inside this value (the file is cut short)".to_owned()
        }
        Some(Err(e)) => format!("not valid JSON: {e}"),
        _ => "not valid JSON".to_owned(),
    };
    Rejection {
        line: lines.line_of(error_at.min(body.len().saturating_sub(1))),
        reason,
    }
}

/// Where to resume after the value at `start` broke at `error_at`: the next line that starts
/// with `{` no further right than the broken value did (a record, not an object nested in it).
pub(crate) fn resume_after(body: &[u8], start: usize, error_at: usize) -> usize {
    let line_start = memchr::memrchr(b'\n', &body[..start]).map_or(0, |p| p + 1);
    let indent = start - line_start;
    let mut pos = memchr::memchr(b'\n', &body[error_at.min(body.len())..])
        .map_or(body.len(), |p| error_at + p + 1);
    while pos < body.len() {
        let end = memchr::memchr(b'\n', &body[pos..]).map_or(body.len(), |p| pos + p);
        let line = &body[pos..end];
        if let Some(col) = line.iter().position(|b| !b.is_ascii_whitespace())
            && line[col] == b'{'
            && col <= indent
        {
            return pos + col;
        }
        pos = end + 1;
    }
    body.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_offsets() {
        let lines = Lines::new(b"a\nbc\n\nd");
        let got: Vec<usize> = (0..7).map(|o| lines.line_of(o)).collect();
        assert_eq!(got, vec![1, 1, 2, 2, 2, 3, 4]);
    }

    #[test]
    fn a_cut_graph_page_keeps_its_whole_items() {
        let page = br#"{"@odata.context":"x","value":[{"id":1},{"id":2},{"id":3"#;
        let s = salvage_items(page, 0).expect("a page");
        assert_eq!(s.items.len(), 2);
        assert_eq!((s.shape, s.resource), ("Microsoft Graph page", false));
        assert_eq!(&page[s.error_at..], br#"{"id":3"#);
    }

    #[test]
    fn a_damaged_item_stops_the_salvage_there() {
        let body = b"[\n {\"a\":1},\n {\"a\":,},\n {\"a\":3}\n]";
        let s = salvage_items(body, 0).expect("an array");
        assert_eq!(s.items.len(), 1);
        let lines = Lines::new(body);
        assert_eq!(rejection(body, &lines, 0, s.error_at).line, 3);
    }

    #[test]
    fn event_hub_bodies_are_resource_records() {
        let s = salvage_items(br#"{"records": [{"time":"t","properties":{}}, {"#, 0).expect("");
        assert_eq!((s.items.len(), s.resource), (1, true));
    }

    #[test]
    fn resumes_at_the_next_record_at_the_margin() {
        let body = b"{\n  \"a\": [\n  {\"nested\": 1}\n}\n{\"b\": 2}\n";
        let at = resume_after(body, 0, 14);
        assert_eq!(&body[at..at + 8], b"{\"b\": 2}");
        assert_eq!(resume_after(b"{\"x\" 1}", 0, 5), 7);
    }

    #[test]
    fn a_cut_file_says_so() {
        let body = b"{\"value\": [";
        let e = serde_json::from_slice::<Value>(body).expect_err("cut");
        let at = error_offset(body, 0, &e);
        let r = rejection(body, &Lines::new(body), 0, at);
        assert!(r.reason.contains("cut short"), "{}", r.reason);
        let body = b"{\"value\": x}";
        let e = serde_json::from_slice::<Value>(body).expect_err("bad");
        let r = rejection(body, &Lines::new(body), 0, error_offset(body, 0, &e));
        assert!(!r.reason.contains("cut short"), "{}", r.reason);
    }
}
