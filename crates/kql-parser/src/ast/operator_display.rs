//! Canonical KQL text for tabular operators (`{}` one line, `{:#}` one operator per line).

use super::operator::*;
use super::{OptionArg, RenderProp, write_list};
use std::fmt::{Display, Formatter, Result};

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        let sep = if f.alternate() { "\n| " } else { " | " };
        let mut first = true;
        if let Some(s) = &self.source {
            write!(f, "{s}")?;
            first = false;
        }
        for op in &self.operators {
            if !first {
                f.write_str(sep)?;
            }
            first = false;
            write!(f, "{op}")?;
        }
        Ok(())
    }
}

/// Writes ` opt=v opt=v` (each with a leading space).
fn options(f: &mut Formatter<'_>, opts: &[OptionArg]) -> Result {
    for o in opts {
        write!(f, " {o}")?;
    }
    Ok(())
}

fn with_props<P: Display>(f: &mut Formatter<'_>, props: &[P]) -> Result {
    if !props.is_empty() {
        f.write_str(" with (")?;
        write_list(f, props, ", ")?;
        f.write_str(")")?;
    }
    Ok(())
}

impl Display for RenderProp {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

impl Display for SortOrder {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.write_str(match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        })
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        write!(f, "{}", self.expr)?;
        if let Some(o) = self.order {
            write!(f, " {o}")?;
        }
        match self.nulls {
            Some(NullsOrder::First) => f.write_str(" nulls first"),
            Some(NullsOrder::Last) => f.write_str(" nulls last"),
            None => Ok(()),
        }
    }
}

impl Display for MvItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        write!(f, "{}", self.expr)?;
        if let Some(t) = &self.to {
            write!(f, " to typeof({t})")?;
        }
        Ok(())
    }
}

impl Display for ParsePart {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        match self {
            ParsePart::Text(e) => write!(f, "{e}"),
            ParsePart::Star(_) => f.write_str("*"),
            ParsePart::Column(c) => write!(f, "{c}"),
        }
    }
}

impl Display for SeriesAggregate {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        write!(f, "{}", self.expr)?;
        if let Some(d) = &self.default {
            write!(f, " default = {d}")?;
        }
        Ok(())
    }
}

impl Display for ReorderOrder {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.write_str(match self {
            ReorderOrder::Asc => "asc",
            ReorderOrder::Desc => "desc",
            ReorderOrder::GrannyAsc => "granny-asc",
            ReorderOrder::GrannyDesc => "granny-desc",
        })
    }
}

fn join_body(f: &mut Formatter<'_>, j: &Join) -> Result {
    options(f, &j.options)?;
    write!(f, " {}", j.right)?;
    if !j.on.is_empty() {
        f.write_str(" on ")?;
        write_list(f, &j.on, ", ")?;
    }
    if let Some(w) = &j.where_ {
        write!(f, " where {w}")?;
    }
    Ok(())
}

impl Display for Operator {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.write_str(self.name())?;
        match self {
            Operator::Where(w) => {
                options(f, &w.options)?;
                write!(f, " {}", w.predicate)
            }
            Operator::Extend(Extend { columns, .. })
            | Operator::Project(Project { columns, .. })
            | Operator::Print(Print { columns, .. }) => {
                f.write_str(" ")?;
                write_list(f, columns, ", ")
            }
            Operator::Serialize(s) => {
                if !s.columns.is_empty() {
                    f.write_str(" ")?;
                }
                write_list(f, &s.columns, ", ")
            }
            Operator::ProjectAway(p) | Operator::ProjectKeep(p) => {
                f.write_str(" ")?;
                write_list(f, &p.columns, ", ")
            }
            Operator::ProjectRename(p) => {
                for (i, (new, old)) in p.renames.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    write!(f, "{new} = {old}")?;
                }
                Ok(())
            }
            Operator::ProjectReorder(p) => {
                for (i, (pat, order)) in p.columns.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    write!(f, "{pat}")?;
                    if let Some(o) = order {
                        write!(f, " {o}")?;
                    }
                }
                Ok(())
            }
            Operator::Summarize(s) => {
                options(f, &s.options)?;
                if !s.aggregates.is_empty() {
                    f.write_str(" ")?;
                    write_list(f, &s.aggregates, ", ")?;
                }
                if let Some(by) = &s.by {
                    f.write_str(" by ")?;
                    write_list(f, by, ", ")?;
                }
                Ok(())
            }
            Operator::Count(Count { name: Some(n), .. }) => write!(f, " as {n}"),
            Operator::Count(_) | Operator::Getschema(_) => Ok(()),
            Operator::Distinct(d) => {
                options(f, &d.options)?;
                f.write_str(" ")?;
                write_list(f, &d.columns, ", ")
            }
            Operator::Sort(s) => {
                options(f, &s.options)?;
                f.write_str(" by ")?;
                write_list(f, &s.keys, ", ")
            }
            Operator::Top(t) => {
                options(f, &t.options)?;
                write!(f, " {} by ", t.count)?;
                write_list(f, &t.keys, ", ")
            }
            Operator::TopNested(t) => {
                for (i, l) in t.levels.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", top-nested")?;
                    }
                    if let Some(c) = &l.count {
                        write!(f, " {c}")?;
                    }
                    write!(f, " of {}", l.of)?;
                    if let Some(o) = &l.others {
                        write!(f, " with others = {o}")?;
                    }
                    write!(f, " by {}", l.by)?;
                    if let Some(o) = l.order {
                        write!(f, " {o}")?;
                    }
                }
                Ok(())
            }
            Operator::TopHitters(t) => {
                write!(f, " {} of {}", t.count, t.of)?;
                if let Some(b) = &t.by {
                    write!(f, " by {b}")?;
                }
                Ok(())
            }
            Operator::Take(t) => {
                options(f, &t.options)?;
                write!(f, " {}", t.count)
            }
            Operator::Sample(s) => {
                options(f, &s.options)?;
                write!(f, " {}", s.count)
            }
            Operator::SampleDistinct(s) => {
                options(f, &s.options)?;
                write!(f, " {} of {}", s.count, s.of)
            }
            Operator::Join(j) | Operator::Lookup(j) => join_body(f, j),
            Operator::Union(u) => {
                options(f, &u.options)?;
                f.write_str(" ")?;
                write_list(f, &u.tables, ", ")
            }
            Operator::MvExpand(m) => {
                options(f, &m.options)?;
                f.write_str(" ")?;
                write_list(f, &m.items, ", ")?;
                if let Some(l) = &m.limit {
                    write!(f, " limit {l}")?;
                }
                Ok(())
            }
            Operator::MvApply(m) => {
                options(f, &m.options)?;
                f.write_str(" ")?;
                write_list(f, &m.items, ", ")?;
                if let Some(l) = &m.limit {
                    write!(f, " limit {l}")?;
                }
                write!(f, " on ({})", m.on)
            }
            Operator::Parse(p) => {
                options(f, &p.options)?;
                write!(f, " {} with ", p.source)?;
                write_list(f, &p.pattern, " ")
            }
            Operator::ParseKv(p) => {
                write!(f, " {} as {}", p.source, p.schema)?;
                with_props(f, &p.with)
            }
            Operator::MakeSeries(m) => {
                options(f, &m.options)?;
                f.write_str(" ")?;
                write_list(f, &m.aggregates, ", ")?;
                write!(f, " on {}", m.on)?;
                match &m.range {
                    SeriesRange::FromTo { from, to, step } => {
                        if let Some(x) = from {
                            write!(f, " from {x}")?;
                        }
                        if let Some(x) = to {
                            write!(f, " to {x}")?;
                        }
                        write!(f, " step {step}")?;
                    }
                    SeriesRange::InRange(r) => write!(f, " in {r}")?,
                }
                if let Some(by) = &m.by {
                    f.write_str(" by ")?;
                    write_list(f, by, ", ")?;
                }
                Ok(())
            }
            Operator::Render(r) => {
                write!(f, " {}", r.chart)?;
                for p in &r.legacy {
                    write!(f, " {p}")?;
                }
                with_props(f, &r.with)
            }
            Operator::Datatable(d) => {
                options(f, &d.options)?;
                write!(f, " {} [", d.schema)?;
                write_list(f, &d.values, ", ")?;
                f.write_str("]")
            }
            Operator::Range(r) => write!(
                f,
                " {} from {} to {} step {}",
                r.column, r.from, r.to, r.step
            ),
            Operator::As(a) => {
                options(f, &a.options)?;
                write!(f, " {}", a.name)
            }
            Operator::Invoke(i) => write!(f, " {}", i.call),
            Operator::Evaluate(e) => {
                options(f, &e.options)?;
                write!(f, " {}", e.call)?;
                if let Some(s) = &e.schema {
                    write!(f, " : {s}")?;
                }
                Ok(())
            }
            Operator::Externaldata(e) => {
                options(f, &e.options)?;
                write!(f, " {} [", e.schema)?;
                write_list(f, &e.uris, ", ")?;
                f.write_str("]")?;
                with_props(f, &e.with)
            }
            Operator::Search(s) => {
                options(f, &s.options)?;
                if let Some(t) = &s.tables {
                    f.write_str(" in (")?;
                    write_list(f, t, ", ")?;
                    f.write_str(")")?;
                }
                write!(f, " {}", s.predicate)
            }
            Operator::Find(x) => {
                options(f, &x.options)?;
                if let Some(t) = &x.tables {
                    f.write_str(" in (")?;
                    write_list(f, t, ", ")?;
                    f.write_str(")")?;
                }
                write!(f, " where {}", x.predicate)?;
                match &x.project {
                    None => Ok(()),
                    Some(FindProject::Smart) => f.write_str(" project-smart"),
                    Some(FindProject::Columns(c)) => {
                        f.write_str(" project ")?;
                        write_list(f, c, ", ")
                    }
                    Some(FindProject::Away(c)) => {
                        f.write_str(" project-away ")?;
                        write_list(f, c, ", ")
                    }
                }
            }
            Operator::Facet(x) => {
                f.write_str(" by ")?;
                write_list(f, &x.by, ", ")?;
                if let Some(w) = &x.with {
                    write!(f, " with ({w})")?;
                }
                Ok(())
            }
            Operator::Fork(x) => {
                for (name, q) in &x.branches {
                    match name {
                        Some(n) => write!(f, " {n} = ({q})")?,
                        None => write!(f, " ({q})")?,
                    }
                }
                Ok(())
            }
            Operator::Partition(p) => {
                options(f, &p.options)?;
                write!(f, " by {}", p.by)?;
                match &p.body {
                    PartitionBody::Subquery(q) => write!(f, " ({q})"),
                    PartitionBody::Braced(e) => write!(f, " {{{e}}}"),
                }
            }
            Operator::Scan(s) => {
                options(f, &s.options)?;
                if !s.declare.is_empty() {
                    f.write_str(" declare (")?;
                    for (i, (c, d)) in s.declare.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{c}")?;
                        if let Some(d) = d {
                            write!(f, " = {d}")?;
                        }
                    }
                    f.write_str(")")?;
                }
                f.write_str(" with (")?;
                for st in &s.steps {
                    write!(f, " step {}", st.name)?;
                    if st.optional {
                        f.write_str(" optional")?;
                    }
                    if let Some(o) = &st.output {
                        write!(f, " output={o}")?;
                    }
                    write!(f, ": {}", st.condition)?;
                    if !st.assignments.is_empty() {
                        f.write_str(" => ")?;
                        write_list(f, &st.assignments, ", ")?;
                    }
                    f.write_str(";")?;
                }
                f.write_str(" )")
            }
            Operator::Consume(c) => options(f, &c.options),
            Operator::Reduce(r) => {
                options(f, &r.options)?;
                write!(f, " by {}", r.by)?;
                if !r.with.is_empty() {
                    f.write_str(" with ")?;
                    write_list(f, &r.with, ", ")?;
                }
                Ok(())
            }
        }
    }
}
