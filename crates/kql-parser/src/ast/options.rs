//! Operator options whose values form a closed set in the Kusto reference, parsed into enums:
//! `join kind=`, `lookup kind=`, `union kind=`, `mv-expand kind=`/`bagexpansion=`, `parse kind=`,
//! `search kind=`, `make-series kind=`, and the join hints `hint.strategy=`/`hint.remote=`.
//! Other options keep their value as written (a name, number, string or bool).
//! Render's sets are in `render.rs`.

use super::{AxisScale, Legend, RenderKind, YSplit};
use super::{Expr, Span};
use std::fmt;

/// A set of keywords an option takes, each written one way.
pub trait ClosedSet: Copy + PartialEq + 'static {
    /// Every value, in the reference's order.
    const ALL: &'static [Self];
    /// What a value is, for messages: "a join kind".
    const WHAT: &'static str;
    /// Whether a value matches whatever its case (Kusto's hint values do; kinds do not).
    const ANY_CASE: bool;
    /// The keyword as Kusto writes it.
    fn as_str(self) -> &'static str;

    /// The value `text` names, if any.
    fn from_text(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| {
            let k = v.as_str();
            k == text || (Self::ANY_CASE && k.eq_ignore_ascii_case(text))
        })
    }
}

/// Declares a closed set: the enum, its keywords and its `Display`.
macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident, $what:literal, any_case = $any:literal,
     { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $crate::ast::ClosedSet for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const WHAT: &'static str = $what;
            const ANY_CASE: bool = $any;
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::ast::ClosedSet::as_str(*self))
            }
        }
    };
}
pub(crate) use closed_set;

/// A keyword of a closed set, where it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyword<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T: fmt::Display> fmt::Display for Keyword<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

closed_set!(
    /// `join kind=`. <https://learn.microsoft.com/kusto/query/join-operator>
    JoinKind, "a join kind", any_case = false, {
        Inner = "inner",
        FullOuter = "fullouter",
        InnerUnique = "innerunique",
        LeftAnti = "leftanti",
        LeftAntiSemi = "leftantisemi",
        /// Same as `leftanti`.
        Anti = "anti",
        LeftOuter = "leftouter",
        LeftSemi = "leftsemi",
        RightAnti = "rightanti",
        RightAntiSemi = "rightantisemi",
        RightOuter = "rightouter",
        RightSemi = "rightsemi",
    }
);

closed_set!(
    /// `lookup kind=`. <https://learn.microsoft.com/kusto/query/lookup-operator>
    LookupKind, "a lookup kind", any_case = false, {
        LeftOuter = "leftouter",
        Inner = "inner",
    }
);

closed_set!(
    /// `union kind=`. <https://learn.microsoft.com/kusto/query/union-operator>
    UnionKind, "a union kind", any_case = false, {
        Inner = "inner",
        Outer = "outer",
    }
);

closed_set!(
    /// `mv-expand kind=` or `bagexpansion=`: what a property bag expands into.
    /// <https://learn.microsoft.com/kusto/query/mv-expand-operator>
    MvExpandKind, "`bag` or `array`", any_case = false, {
        /// One single-entry bag per property (the default).
        Bag = "bag",
        /// One `[key, value]` array per property.
        Array = "array",
    }
);

closed_set!(
    /// `parse kind=`. <https://learn.microsoft.com/kusto/query/parse-operator>
    ParseKind, "a parse kind", any_case = false, {
        Simple = "simple",
        Regex = "regex",
        Relaxed = "relaxed",
    }
);

closed_set!(
    /// `search kind=`. <https://learn.microsoft.com/kusto/query/search-operator>
    SearchKind, "a search kind", any_case = false, {
        Default = "default",
        CaseInsensitive = "case_insensitive",
        CaseSensitive = "case_sensitive",
    }
);

closed_set!(
    /// `make-series kind=`. <https://learn.microsoft.com/kusto/query/make-series-operator>
    MakeSeriesKind, "`nonempty`", any_case = false, {
        NonEmpty = "nonempty",
    }
);

closed_set!(
    /// `join hint.strategy=`. <https://learn.microsoft.com/kusto/query/join-operator>
    JoinStrategy, "a join strategy", any_case = true, {
        Auto = "auto",
        Broadcast = "broadcast",
        Centralized = "centralized",
        Shuffle = "shuffle",
    }
);

closed_set!(
    /// `join hint.remote=`: where a cross-cluster join runs.
    /// <https://learn.microsoft.com/kusto/query/join-cross-cluster>
    JoinRemote, "a remote join mode", any_case = true, {
        Auto = "auto",
        Left = "left",
        Local = "local",
        Right = "right",
    }
);

/// The value of an option: a keyword of the option's closed set, or a free value.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// `join kind=`.
    JoinKind(Keyword<JoinKind>),
    /// `lookup kind=`.
    LookupKind(Keyword<LookupKind>),
    /// `union kind=`.
    UnionKind(Keyword<UnionKind>),
    /// `mv-expand kind=` / `bagexpansion=`.
    MvExpandKind(Keyword<MvExpandKind>),
    /// `parse kind=`.
    ParseKind(Keyword<ParseKind>),
    /// `search kind=`.
    SearchKind(Keyword<SearchKind>),
    /// `make-series kind=`.
    MakeSeriesKind(Keyword<MakeSeriesKind>),
    /// `join hint.strategy=`.
    JoinStrategy(Keyword<JoinStrategy>),
    /// `join hint.remote=`.
    JoinRemote(Keyword<JoinRemote>),
    /// `render` `kind=`.
    RenderKind(Keyword<RenderKind>),
    /// `render` `legend=`.
    Legend(Keyword<Legend>),
    /// `render` `xaxis=` / `yaxis=`.
    AxisScale(Keyword<AxisScale>),
    /// `render` `ysplit=`.
    YSplit(Keyword<YSplit>),
    /// A free value: a name (`withsource=T`), number, string, bool or expression.
    Value(Expr),
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::JoinKind(k) => k.fmt(f),
            OptionValue::LookupKind(k) => k.fmt(f),
            OptionValue::UnionKind(k) => k.fmt(f),
            OptionValue::MvExpandKind(k) => k.fmt(f),
            OptionValue::ParseKind(k) => k.fmt(f),
            OptionValue::SearchKind(k) => k.fmt(f),
            OptionValue::MakeSeriesKind(k) => k.fmt(f),
            OptionValue::JoinStrategy(k) => k.fmt(f),
            OptionValue::JoinRemote(k) => k.fmt(f),
            OptionValue::RenderKind(k) => k.fmt(f),
            OptionValue::Legend(k) => k.fmt(f),
            OptionValue::AxisScale(k) => k.fmt(f),
            OptionValue::YSplit(k) => k.fmt(f),
            OptionValue::Value(e) => e.fmt(f),
        }
    }
}
