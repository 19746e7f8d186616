//! Random, mostly well-typed KQL expressions over a table's columns, and the cases built on them.
//!
//! Expressions are generated as text for one wanted Kusto type; each construct is one kqlite
//! supports (`kql-planner/src/expr/call.rs`, the string operators of `parser/expr.rs`). Some
//! combinations are refused by the planner (a KS diagnostic): the loop counts those.

pub(crate) use crate::fuzz_common::Rng;

/// The Kusto types the generator produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    Int,
    Long,
    Real,
    Str,
    Date,
    Span,
    Guid,
    Dyn,
}

/// Types `min`/`max` and the comparison operators order.
pub(crate) const ORDERED: &[Ty] = &[Ty::Int, Ty::Long, Ty::Real, Ty::Str, Ty::Date, Ty::Span];

/// One table the fuzzer queries: its name, typed columns, the columns it groups by (few distinct
/// values) and a long-valued column whose sums cannot overflow.
pub(crate) struct TableInfo {
    pub(crate) name: String,
    pub(crate) columns: Vec<(String, Ty)>,
    pub(crate) keys: Vec<String>,
    pub(crate) sum_column: String,
}

/// One fuzz input: a predicate `P` over a table, a key, a summed column and an ordered expression
/// whose `min`/`max` are compared across the partition. Saved as text (see [`Case::to_text`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Case {
    pub(crate) table: String,
    pub(crate) key: String,
    pub(crate) sum: String,
    pub(crate) minmax: String,
    pub(crate) predicate: String,
}

impl Case {
    pub(crate) fn to_text(&self) -> String {
        format!(
            "table {}\nkey {}\nsum {}\nminmax {}\nwhere {}\n",
            self.table, self.key, self.sum, self.minmax, self.predicate
        )
    }

    /// Reads [`Case::to_text`]'s form back (one `field value` line each).
    pub(crate) fn from_text(text: &str) -> Result<Case, String> {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
                .map(str::to_owned)
                .ok_or_else(|| format!("no `{name}` line"))
        };
        Ok(Case {
            table: field("table")?,
            key: field("key")?,
            sum: field("sum")?,
            minmax: field("minmax")?,
            predicate: field("where")?,
        })
    }
}

/// A new random case over one of `tables`.
pub(crate) fn case(rng: &mut Rng, tables: &[TableInfo]) -> Case {
    let t = &tables[rng.below(tables.len())];
    let mut g = Gen {
        rng,
        columns: &t.columns,
    };
    let depth = 1 + g.rng.below(3) as u32;
    let predicate = g.expr(Ty::Bool, depth);
    let ty = g.rng.pick(ORDERED);
    let minmax_depth = g.rng.below(3) as u32;
    let minmax = g.expr(ty, minmax_depth);
    Case {
        table: t.name.clone(),
        key: t.keys[g.rng.below(t.keys.len())].clone(),
        sum: t.sum_column.clone(),
        minmax,
        predicate,
    }
}

/// Generates expressions of a wanted type over `columns`.
pub(crate) struct Gen<'a> {
    pub(crate) rng: &'a mut Rng,
    pub(crate) columns: &'a [(String, Ty)],
}

const WORDS: &[&str] = &[
    "",
    "a",
    "A",
    "hello",
    "Hello World",
    "world",
    "WORLD",
    "12",
    "-3.5",
    "true",
    "null",
    "ünï",
    ",",
    "a,b",
    " ",
    "x",
    "{\"x\":1}",
    "[1,2]",
    "2024-01-01",
    "1.00:00:00",
    "Success",
    "Failure",
    "Skipped",
    "Create",
    "Update",
    "user",
    "@contoso.com",
    "00000000-0000-0000-0000-000000000000",
];
const REGEXES: &[&str] = &[
    "^a",
    "b$",
    "[0-9]+",
    "o.",
    "^$",
    "(?i)hello",
    "\\d",
    "x|y",
    ".",
];
const LONGS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "7",
    "100",
    "-100",
    "1000",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775807",
    "long(null)",
];
const INTS: &[&str] = &[
    "int(0)",
    "int(1)",
    "int(-1)",
    "int(42)",
    "int(2147483647)",
    "int(-2147483648)",
    "int(null)",
];
const REALS: &[&str] = &[
    "0.0",
    "1.5",
    "-2.25",
    "0.1",
    "1e308",
    "-1e308",
    "5e-324",
    "real(nan)",
    "real(+inf)",
    "real(-inf)",
    "real(null)",
];
const DATES: &[&str] = &[
    "datetime(0001-01-01)",
    "datetime(9999-12-31 23:59:59.9999999)",
    "datetime(1970-01-01)",
    "datetime(2024-02-29)",
    "datetime(2026-11-18 12:00)",
    "datetime(2026-11-19)",
    "datetime(null)",
];
const SPANS: &[&str] = &[
    "0s",
    "1tick",
    "1ms",
    "1s",
    "30m",
    "1h",
    "1d",
    "-1d",
    "7d",
    "3650000d",
    "timespan(10675199.02:48:05.4775807)",
    "timespan(null)",
];
const GUIDS: &[&str] = &[
    "guid(00000000-0000-0000-0000-000000000000)",
    "guid(6f2d3a41-8b7c-4e55-9a10-2c3d4e5f6a7b)",
    "guid(null)",
];
const DYNS: &[&str] = &[
    "dynamic(null)",
    "dynamic({})",
    "dynamic([])",
    "dynamic({\"x\":1,\"y\":\"a\"})",
    "dynamic([1,\"two\",null])",
    "dynamic(1.5)",
    "dynamic(\"x\")",
    "dynamic(true)",
];
const STRING_OPS: &[&str] = &[
    "==",
    "!=",
    "=~",
    "!~",
    "has",
    "!has",
    "has_cs",
    "!has_cs",
    "hasprefix",
    "hassuffix",
    "contains",
    "!contains",
    "contains_cs",
    "!contains_cs",
    "startswith",
    "!startswith",
    "startswith_cs",
    "endswith",
    "!endswith",
    "endswith_cs",
    "hasprefix_cs",
    "!hasprefix",
    "hassuffix_cs",
    "!hassuffix",
];
const COMPARE_OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];
const DATE_PARTS: &[&str] = &["year", "month", "day", "hour", "minute", "second", "week"];
const FORMATS: &[&str] = &[
    "yyyy-MM-dd",
    "HH:mm:ss",
    "yyyy-MM-dd HH:mm:ss.fffffff",
    "dd/MM/yy",
];

impl Gen<'_> {
    fn string_lit(&mut self) -> String {
        quote(self.rng.pick(WORDS))
    }

    /// A literal of `ty`.
    pub(crate) fn literal(&mut self, ty: Ty) -> String {
        let list: &[&str] = match ty {
            Ty::Bool => &["true", "false", "bool(null)"],
            Ty::Int => INTS,
            Ty::Long => LONGS,
            Ty::Real => REALS,
            Ty::Str => return self.string_lit(),
            Ty::Date => DATES,
            Ty::Span => SPANS,
            Ty::Guid => GUIDS,
            Ty::Dyn => DYNS,
        };
        (self.rng.pick(list)).to_owned()
    }

    fn column(&mut self, ty: Ty) -> Option<String> {
        let of_type: Vec<&String> = self
            .columns
            .iter()
            .filter(|(_, t)| *t == ty)
            .map(|(n, _)| n)
            .collect();
        (!of_type.is_empty()).then(|| (self.rng.pick(&of_type)).clone())
    }

    /// A column or literal of `ty`.
    fn leaf(&mut self, ty: Ty) -> String {
        if !self.rng.chance(3)
            && let Some(c) = self.column(ty)
        {
            return c;
        }
        self.literal(ty)
    }

    /// An expression of `ty`, at most `depth` calls deep.
    pub(crate) fn expr(&mut self, ty: Ty, depth: u32) -> String {
        if depth == 0 || self.rng.chance(4) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        // Conditionals and null handling work for every type.
        match self.rng.below(12) {
            0 => {
                return format!(
                    "iff({}, {}, {})",
                    self.expr(Ty::Bool, d),
                    self.expr(ty, d),
                    self.expr(ty, d)
                );
            }
            1 if ty != Ty::Dyn => {
                return format!("coalesce({}, {})", self.expr(ty, d), self.expr(ty, d));
            }
            2 => {
                return format!(
                    "case({}, {}, {}, {}, {})",
                    self.expr(Ty::Bool, d),
                    self.expr(ty, d),
                    self.expr(Ty::Bool, d),
                    self.expr(ty, d),
                    self.expr(ty, d)
                );
            }
            _ => {}
        }
        match ty {
            Ty::Bool => self.bool_expr(d),
            Ty::Int => self.int_expr(d),
            Ty::Long => self.long_expr(d),
            Ty::Real => self.real_expr(d),
            Ty::Str => self.str_expr(d),
            Ty::Date => self.date_expr(d),
            Ty::Span => self.span_expr(d),
            Ty::Guid => self.guid_expr(d),
            Ty::Dyn => self.dyn_expr(d),
        }
    }

    fn any_type(&mut self) -> Ty {
        self.rng.pick(&[
            Ty::Bool,
            Ty::Int,
            Ty::Long,
            Ty::Real,
            Ty::Str,
            Ty::Date,
            Ty::Span,
            Ty::Guid,
            Ty::Dyn,
        ])
    }

    /// A number type, for mixed arithmetic and comparisons.
    fn number_type(&mut self) -> Ty {
        self.rng.pick(&[Ty::Int, Ty::Long, Ty::Real])
    }

    fn bool_expr(&mut self, d: u32) -> String {
        match self.rng.below(16) {
            0 | 1 => {
                let ty = self.rng.pick(ORDERED);
                let op = self.rng.pick(COMPARE_OPS);
                // Numbers of different types compare with each other.
                let rhs = if matches!(ty, Ty::Int | Ty::Long | Ty::Real) {
                    self.number_type()
                } else {
                    ty
                };
                format!("{} {op} {}", self.expr(ty, d), self.expr(rhs, d))
            }
            2 => {
                let ty = self.rng.pick(&[Ty::Bool, Ty::Guid]);
                let op = self.rng.pick(&["==", "!="]);
                format!("{} {op} {}", self.expr(ty, d), self.expr(ty, d))
            }
            3 | 4 => {
                let op = self.rng.pick(STRING_OPS);
                format!("{} {op} {}", self.expr(Ty::Str, d), self.string_lit())
            }
            5 => {
                let re = quote(self.rng.pick(REGEXES));
                if self.rng.chance(2) {
                    format!("{} matches regex {re}", self.expr(Ty::Str, d))
                } else {
                    format!("not({} matches regex {re})", self.expr(Ty::Str, d))
                }
            }
            6 => {
                let ty = self
                    .rng
                    .pick(&[Ty::Str, Ty::Long, Ty::Int, Ty::Real, Ty::Date, Ty::Guid]);
                let op = if ty == Ty::Str {
                    self.rng.pick(&["in", "!in", "in~", "!in~"])
                } else {
                    self.rng.pick(&["in", "!in"])
                };
                let n = 1 + self.rng.below(3);
                let items: Vec<String> = (0..n).map(|_| self.literal(ty)).collect();
                if ty == Ty::Long && self.rng.chance(3) {
                    // A dynamic array's elements are the list.
                    let json: Vec<&str> = items
                        .iter()
                        .map(|i| {
                            if i.contains("null") {
                                "null"
                            } else {
                                i.as_str()
                            }
                        })
                        .collect();
                    return format!("{} {op} (dynamic([{}]))", self.expr(ty, d), json.join(", "));
                }
                format!("{} {op} ({})", self.expr(ty, d), items.join(", "))
            }
            7 => {
                let ty = self
                    .rng
                    .pick(&[Ty::Long, Ty::Real, Ty::Int, Ty::Date, Ty::Span]);
                let op = self.rng.pick(&["between", "!between"]);
                let hi_ty = if ty == Ty::Date && self.rng.chance(2) {
                    Ty::Span
                } else {
                    ty
                };
                format!(
                    "{} {op} ({} .. {})",
                    self.expr(ty, d),
                    self.literal(ty),
                    self.literal(hi_ty)
                )
            }
            8 => {
                let f = self
                    .rng
                    .pick(&["isnull", "isnotnull", "isempty", "isnotempty"]);
                let ty = self.any_type();
                format!("{f}({})", self.expr(ty, d))
            }
            9 if self.rng.chance(3) => {
                let op = self.rng.pick(&["has_any", "has_all"]);
                let items: Vec<String> = (0..1 + self.rng.below(3))
                    .map(|_| self.string_lit())
                    .collect();
                format!("{} {op} ({})", self.expr(Ty::Str, d), items.join(", "))
            }
            9 => format!(
                "({}) and ({})",
                self.expr(Ty::Bool, d),
                self.expr(Ty::Bool, d)
            ),
            10 => format!(
                "({}) or ({})",
                self.expr(Ty::Bool, d),
                self.expr(Ty::Bool, d)
            ),
            11 => format!("not({})", self.expr(Ty::Bool, d)),
            12 => {
                let ty = self
                    .rng
                    .pick(&[Ty::Str, Ty::Long, Ty::Real, Ty::Dyn, Ty::Int]);
                format!("tobool({})", self.expr(ty, d))
            }
            13 => format!("isnan({})", self.expr(Ty::Real, d)),
            14 => format!("bag_has_key({}, \"x\")", self.expr(Ty::Dyn, d)),
            _ => {
                let op = self.rng.pick(&["==", "!=", "<", ">"]);
                let path = self.rng.pick(&["x", "y", "z"]);
                let lit_ty = self.rng.pick(&[Ty::Long, Ty::Str, Ty::Real]);
                let lit = self.literal(lit_ty);
                format!("{}.{path} {op} {lit}", self.expr(Ty::Dyn, d))
            }
        }
    }

    fn long_expr(&mut self, d: u32) -> String {
        match self.rng.below(14) {
            0 | 1 => {
                let op = self.rng.pick(&["+", "-", "*", "/", "%"]);
                let a = self.rng.pick(&[Ty::Long, Ty::Int]);
                format!("({} {op} {})", self.expr(a, d), self.expr(Ty::Long, d))
            }
            2 => format!("strlen({})", self.expr(Ty::Str, d)),
            3 => {
                let ty = self.any_type();
                format!("tolong({})", self.expr(ty, d))
            }
            4 => format!("array_length({})", self.expr(Ty::Dyn, d)),
            5 => format!("abs({})", self.expr(Ty::Long, d)),
            6 => {
                let f = self
                    .rng
                    .pick(&["getyear", "hourofday", "dayofmonth", "getmonth"]);
                format!("{f}({})", self.expr(Ty::Date, d))
            }
            7 => format!(
                "datetime_diff({}, {}, {})",
                quote(self.rng.pick(DATE_PARTS)),
                self.expr(Ty::Date, d),
                self.expr(Ty::Date, d)
            ),
            8 => format!(
                "countof({}, {})",
                self.expr(Ty::Str, d),
                quote(self.rng.pick(&["a", "l", ","]))
            ),
            9 => format!("indexof({}, {})", self.expr(Ty::Str, d), self.string_lit()),
            10 => format!(
                "bin({}, {})",
                self.expr(Ty::Long, d),
                self.rng.pick(&["1", "10", "7", "0"])
            ),
            11 => {
                let f = self.rng.pick(&["min_of", "max_of"]);
                format!(
                    "{f}({}, {})",
                    self.expr(Ty::Long, d),
                    self.expr(Ty::Long, d)
                )
            }
            12 => format!("-{}", self.expr(Ty::Long, d)),
            _ => format!("tolong({}.x)", self.expr(Ty::Dyn, d)),
        }
    }

    fn int_expr(&mut self, d: u32) -> String {
        let ty = self.any_type();
        match self.rng.below(3) {
            0 => format!("toint({})", self.expr(ty, d)),
            1 => format!("({} + {})", self.expr(Ty::Int, d), self.expr(Ty::Int, d)),
            _ => format!("sign({})", self.expr(Ty::Int, d)),
        }
    }

    fn real_expr(&mut self, d: u32) -> String {
        match self.rng.below(8) {
            0 | 1 => {
                let op = self.rng.pick(&["+", "-", "*", "/"]);
                let a = self.number_type();
                format!("({} {op} {})", self.expr(a, d), self.expr(Ty::Real, d))
            }
            2 => {
                let ty = self.any_type();
                format!("toreal({})", self.expr(ty, d))
            }
            3 => {
                let f = self
                    .rng
                    .pick(&["sqrt", "log", "exp", "log10", "abs", "floor"]);
                if f == "floor" {
                    format!("floor({}, 0.5)", self.expr(Ty::Real, d))
                } else {
                    format!("{f}({})", self.expr(Ty::Real, d))
                }
            }
            4 => format!(
                "round({}, {})",
                self.expr(Ty::Real, d),
                self.rng.pick(&["0", "2", "-1"])
            ),
            5 => format!(
                "pow({}, {})",
                self.expr(Ty::Real, d),
                self.expr(Ty::Real, d)
            ),
            6 => format!("bin({}, 0.5)", self.expr(Ty::Real, d)),
            _ => format!("todouble({}.x)", self.expr(Ty::Dyn, d)),
        }
    }

    fn str_expr(&mut self, d: u32) -> String {
        match self.rng.below(14) {
            0 => {
                let f = self.rng.pick(&["tolower", "toupper"]);
                format!("{f}({})", self.expr(Ty::Str, d))
            }
            1 => format!("tostring(strlen({}))", self.expr(Ty::Str, d)),
            2 => format!(
                "substring({}, {}, {})",
                self.expr(Ty::Str, d),
                self.rng.pick(&["0", "1", "5", "-1"]),
                self.rng.pick(&["1", "3", "100", "0"])
            ),
            3 => format!(
                "strcat({}, {})",
                self.expr(Ty::Str, d),
                self.expr(Ty::Str, d)
            ),
            4 => {
                let f = self.rng.pick(&["trim", "trim_start", "trim_end"]);
                let re = quote(self.rng.pick(&[" ", "a", "[a-z]+"]));
                format!("{f}({re}, {})", self.expr(Ty::Str, d))
            }
            5 => format!(
                "replace_string({}, {}, {})",
                self.expr(Ty::Str, d),
                quote(self.rng.pick(&["a", "l", " "])),
                self.string_lit()
            ),
            6 => {
                let ty = self.any_type();
                format!("tostring({})", self.expr(ty, d))
            }
            7 => format!(
                "format_datetime({}, {})",
                self.expr(Ty::Date, d),
                quote(self.rng.pick(FORMATS))
            ),
            8 => format!(
                "strcat_delim(\"-\", {}, {})",
                self.expr(Ty::Str, d),
                self.expr(Ty::Long, d)
            ),
            9 => format!("extract(\"[a-z]+\", 0, {})", self.expr(Ty::Str, d)),
            10 => format!("tostring({}.x)", self.expr(Ty::Dyn, d)),
            11 => format!("tostring(split({}, \",\")[0])", self.expr(Ty::Str, d)),
            12 => format!("format_timespan({}, \"hh:mm\")", self.expr(Ty::Span, d)),
            _ => format!("gettype({})", {
                let ty = self.any_type();
                self.expr(ty, d)
            }),
        }
    }

    fn date_expr(&mut self, d: u32) -> String {
        match self.rng.below(11) {
            0 => format!(
                "bin({}, {})",
                self.expr(Ty::Date, d),
                self.rng.pick(&["1h", "1d", "7d", "1tick"])
            ),
            1 => {
                let f = self.rng.pick(&[
                    "startofday",
                    "startofweek",
                    "startofmonth",
                    "startofyear",
                    "endofday",
                    "endofmonth",
                ]);
                format!("{f}({})", self.expr(Ty::Date, d))
            }
            2 => format!(
                "datetime_add({}, {}, {})",
                quote(self.rng.pick(DATE_PARTS)),
                self.expr(Ty::Long, d),
                self.expr(Ty::Date, d)
            ),
            3 => format!("({} + {})", self.expr(Ty::Date, d), self.expr(Ty::Span, d)),
            4 => format!("({} - {})", self.expr(Ty::Date, d), self.expr(Ty::Span, d)),
            5 => format!("todatetime({})", self.expr(Ty::Str, d)),
            6 => format!("ago({})", self.expr(Ty::Span, d)),
            7 => "now()".to_owned(),
            8 => format!("unixtime_seconds_todatetime({})", self.expr(Ty::Long, d)),
            9 => format!("todatetime({}.x)", self.expr(Ty::Dyn, d)),
            _ => format!("todatetime({})", self.expr(Ty::Long, d)),
        }
    }

    fn span_expr(&mut self, d: u32) -> String {
        match self.rng.below(8) {
            0 => format!("({} + {})", self.expr(Ty::Span, d), self.expr(Ty::Span, d)),
            1 => format!("({} * {})", self.expr(Ty::Span, d), self.expr(Ty::Long, d)),
            2 => format!("({} - {})", self.expr(Ty::Date, d), self.expr(Ty::Date, d)),
            3 => format!("totimespan({})", self.expr(Ty::Str, d)),
            4 => format!("bin({}, 1h)", self.expr(Ty::Span, d)),
            5 => format!("-{}", self.expr(Ty::Span, d)),
            6 => format!("dayofweek({})", self.expr(Ty::Date, d)),
            _ => format!("({} / {})", self.expr(Ty::Span, d), self.expr(Ty::Real, d)),
        }
    }

    fn guid_expr(&mut self, d: u32) -> String {
        format!("toguid({})", self.expr(Ty::Str, d))
    }

    fn dyn_expr(&mut self, d: u32) -> String {
        match self.rng.below(9) {
            0 => format!("parse_json({})", self.expr(Ty::Str, d)),
            1 => format!("{}.x", self.expr(Ty::Dyn, d)),
            2 => format!("{}[0]", self.expr(Ty::Dyn, d)),
            3 => {
                let (a, b) = (self.any_type(), self.any_type());
                format!("pack_array({}, {})", self.expr(a, d), self.expr(b, d))
            }
            4 => {
                let ty = self.any_type();
                format!("bag_pack(\"x\", {})", self.expr(ty, d))
            }
            5 => format!("split({}, \",\")", self.expr(Ty::Str, d)),
            6 => format!("bag_keys({})", self.expr(Ty::Dyn, d)),
            7 => format!("todynamic({})", self.expr(Ty::Str, d)),
            _ => format!("array_slice({}, 0, 1)", self.expr(Ty::Dyn, d)),
        }
    }
}

/// `s` as a KQL string literal.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
