//! [`ViewInterner`]: numbers the distinct strings of string-view arrays, hashing each distinct
//! *view* rather than each row's bytes.
//!
//! A snapshot's text columns are dictionary-encoded, and the Parquet reader turns a dictionary page
//! into views that all point at the same bytes: rows with the same value carry the same 16-byte
//! view. A short value (12 bytes or fewer) is stored whole inside its view, so equal views mean
//! equal strings anywhere; a longer one holds a buffer index and offset, which mean the same
//! string only while the array's data buffers are the same. Looking a view up as one `u128` costs
//! a fraction of hashing and comparing the string, which is what DataFusion's grouping does for
//! every row.

use datafusion::arrow::array::{Array, ArrayRef, StringViewArray, StringViewBuilder};
use datafusion::arrow::buffer::Buffer;
use datafusion::common::HashMap;
use foldhash::fast::FixedState;
use hashbrown::hash_table::{Entry, HashTable};
use std::hash::BuildHasher;
use std::sync::Arc;

/// The longest string a view holds inline (Arrow's format).
const MAX_INLINE_LEN: u128 = 12;

/// Slots in the direct-mapped cache: a power of two.
const SLOTS: usize = 256;
const SLOT_BITS: u32 = SLOTS.trailing_zeros();

/// Whether `view` holds its string inline.
fn is_inline(view: u128) -> bool {
    (view & 0xFFFF_FFFF) <= MAX_INLINE_LEN
}

/// The direct-mapped cache slot of `view`: a multiplicative hash of its two halves.
fn slot_of(view: u128) -> usize {
    let mixed = ((view as u64) ^ ((view >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> (64 - SLOT_BITS)) as usize & (SLOTS - 1)
}

/// Group numbers for distinct strings, in order of first appearance; `None` (null) is a group too.
pub struct ViewInterner {
    /// The distinct strings end to end, by group number (the null group's is empty).
    data: Vec<u8>,
    /// Where each group's string ends in `data`; it starts where the previous one ends.
    ends: Vec<usize>,
    /// Group numbers, found by the hash of their string (all but the null group).
    by_string: HashTable<usize>,
    hasher: FixedState,
    /// Group number of the null value, once seen.
    null_group: Option<usize>,
    /// Group number of each inline view: valid in any array.
    by_inline_view: HashMap<u128, usize>,
    /// Group number of each out-of-line view: valid while the data buffers are `buffers`.
    by_long_view: HashMap<u128, usize>,
    /// The data buffers `by_long_view` refers to, held so that their addresses stay theirs.
    buffers: Vec<Buffer>,
    /// A small direct-mapped cache in front of the two maps: (view, group + 1), 0 when empty.
    slots: Box<[(u128, usize); SLOTS]>,
    /// Off when out-of-line views rarely repeat (unique ids), where the cache only adds work.
    cache_long_views: bool,
}

impl Default for ViewInterner {
    fn default() -> Self {
        ViewInterner::new()
    }
}

impl ViewInterner {
    /// An empty interner.
    pub fn new() -> ViewInterner {
        ViewInterner {
            data: Vec::new(),
            ends: Vec::new(),
            by_string: HashTable::new(),
            hasher: FixedState::default(),
            null_group: None,
            by_inline_view: HashMap::default(),
            by_long_view: HashMap::default(),
            buffers: Vec::new(),
            slots: Box::new([(0, 0); SLOTS]),
            cache_long_views: true,
        }
    }

    /// Number of groups so far.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no group has been seen.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Sets `groups` to the group number of each row of `array`, adding new groups as needed.
    pub fn intern(&mut self, array: &StringViewArray, groups: &mut Vec<usize>) {
        let same_buffers = array.data_buffers().len() == self.buffers.len()
            && array
                .data_buffers()
                .iter()
                .zip(&self.buffers)
                .all(|(a, b)| a.as_ptr() == b.as_ptr() && a.len() == b.len());
        if !same_buffers {
            self.by_long_view.clear();
            self.slots.iter_mut().for_each(|s| *s = (0, 0));
            self.buffers = array.data_buffers().to_vec();
        }
        let views = array.views();
        let mut misses = 0usize;
        // Written in place rather than pushed: no capacity check or length update per row. The
        // vector is reused batch after batch, so only a longer batch's new tail is zeroed first.
        groups.resize(views.len(), 0);
        let rows = views.iter().zip(groups.iter_mut()).enumerate();
        match array.nulls().filter(|n| n.null_count() > 0) {
            None => {
                for (i, (&view, group)) in rows {
                    *group = self.lookup(view, array, i, &mut misses);
                }
            }
            Some(nulls) => {
                for (i, (&view, group)) in rows {
                    *group = if nulls.is_null(i) {
                        self.null_group()
                    } else {
                        self.lookup(view, array, i, &mut misses)
                    };
                }
            }
        }
        // Most rows missing means the values hardly repeat: stop caching long views.
        if views.len() >= 1024 && misses * 2 > views.len() {
            self.cache_long_views = false;
            self.by_long_view = HashMap::default();
            for s in self.slots.iter_mut() {
                if !is_inline(s.0) {
                    *s = (0, 0);
                }
            }
        }
    }

    /// The group of row `i` of `array`, whose view is `view`: from its cache slot when it is
    /// there (nearly always, with few distinct values), or else `miss`.
    #[inline(always)]
    fn lookup(
        &mut self,
        view: u128,
        array: &StringViewArray,
        i: usize,
        misses: &mut usize,
    ) -> usize {
        match self.slots[slot_of(view)] {
            (v, g) if v == view && g != 0 => g - 1,
            _ => self.miss(view, array, i, misses),
        }
    }

    /// The group of row `i` when its view is not in its cache slot.
    #[inline(never)]
    fn miss(&mut self, view: u128, array: &StringViewArray, i: usize, misses: &mut usize) -> usize {
        match self.cached(view) {
            Some(g) => {
                self.slots[slot_of(view)] = (view, g + 1);
                g
            }
            None => {
                *misses += 1;
                self.add(view, array.value(i))
            }
        }
    }

    /// The group of `view` if cached.
    fn cached(&self, view: u128) -> Option<usize> {
        if is_inline(view) {
            self.by_inline_view.get(&view).copied()
        } else if self.cache_long_views {
            self.by_long_view.get(&view).copied()
        } else {
            None
        }
    }

    /// The group of `value`, whose view is `view`, cached under it.
    fn add(&mut self, view: u128, value: &str) -> usize {
        let g = self.string_group(value);
        if is_inline(view) {
            self.by_inline_view.insert(view, g);
        } else if self.cache_long_views {
            self.by_long_view.insert(view, g);
        } else {
            return g;
        }
        self.slots[slot_of(view)] = (view, g + 1);
        g
    }

    fn null_group(&mut self) -> usize {
        *self.null_group.get_or_insert_with(|| {
            self.ends.push(self.data.len());
            self.ends.len() - 1
        })
    }

    fn string_group(&mut self, s: &str) -> usize {
        let (data, ends, hasher) = (&self.data, &self.ends, &self.hasher);
        let value = |g: usize| &data[if g == 0 { 0 } else { ends[g - 1] }..ends[g]];
        let entry = self.by_string.entry(
            hasher.hash_one(s.as_bytes()),
            |&g| value(g) == s.as_bytes(),
            |&g| hasher.hash_one(value(g)),
        );
        match entry {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let g = self.ends.len();
                e.insert(g);
                self.data.extend_from_slice(s.as_bytes());
                self.ends.push(self.data.len());
                g
            }
        }
    }

    /// The distinct values, by group number, as one array; the interner is left empty.
    pub fn take_values(&mut self) -> ArrayRef {
        let mut b = StringViewBuilder::with_capacity(self.len());
        let mut start = 0;
        for (g, &end) in self.ends.iter().enumerate() {
            if Some(g) == self.null_group {
                b.append_null();
            } else {
                // Always UTF-8: the bytes were copied from strings.
                b.append_value(std::str::from_utf8(&self.data[start..end]).unwrap_or_default());
            }
            start = end;
        }
        let cache_long_views = self.cache_long_views;
        *self = ViewInterner::new();
        self.cache_long_views = cache_long_views;
        Arc::new(b.finish())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use datafusion::arrow::array::AsArray;

    fn views(values: &[Option<&str>]) -> StringViewArray {
        values.iter().copied().collect()
    }

    fn intern_all(interner: &mut ViewInterner, arrays: &[StringViewArray]) -> Vec<Vec<usize>> {
        arrays
            .iter()
            .map(|a| {
                let mut g = Vec::new();
                interner.intern(a, &mut g);
                g
            })
            .collect()
    }

    #[test]
    fn equal_strings_get_one_group_whatever_their_views() {
        let long = "AzureActiveDirectoryDuplicateUserPrincipalName";
        let a = views(&[
            Some("None"),
            Some(long),
            None,
            Some("None"),
            Some(long),
            Some(""),
        ]);
        // The same long string in another array: another buffer, another view.
        let b = views(&[Some(long), Some("x"), None, Some("None")]);
        let mut i = ViewInterner::new();
        let groups = intern_all(&mut i, &[a, b]);
        assert_eq!(groups, vec![vec![0, 1, 2, 0, 1, 3], vec![1, 4, 2, 0]]);
        let values = i.take_values();
        let values = values.as_string_view();
        let got: Vec<Option<&str>> = values.iter().collect();
        assert_eq!(
            got,
            vec![Some("None"), Some(long), None, Some(""), Some("x")]
        );
        assert!(i.is_empty());
    }

    #[test]
    fn one_groups_vector_serves_batches_of_any_length() {
        let mut i = ViewInterner::new();
        let mut groups = vec![7; 3];
        let batches = [
            views(&[Some("a"), Some("b"), Some("a"), None, Some("c"), Some("b")]),
            views(&[Some("c"), Some("c")]),
            views(&[
                Some("d"),
                None,
                Some("a"),
                Some("b"),
                Some("e"),
                Some("c"),
                Some("d"),
            ]),
        ];
        let expected = [
            vec![0, 1, 0, 2, 3, 1],
            vec![3, 3],
            vec![4, 2, 0, 1, 5, 3, 4],
        ];
        for (batch, want) in batches.iter().zip(expected) {
            i.intern(batch, &mut groups);
            assert_eq!(groups, want);
        }
    }

    #[test]
    fn views_into_one_dictionary_buffer_are_cached_across_batches() {
        // Views into one block, as the Parquet reader makes from a dictionary page; two slices
        // share it, as batches of one column chunk do.
        let names: Vec<String> = (0..4).map(|k| format!("a-long-value-number-{k}")).collect();
        let mut b = StringViewBuilder::new();
        let block = b.append_block(names.concat().into_bytes().into());
        let len = names[0].len() as u32;
        for r in 0..40u32 {
            b.try_append_view(block, (r % 4) * len, len).unwrap();
        }
        let all = b.finish();
        let mut i = ViewInterner::new();
        let first = all.slice(0, 20);
        let second = all.slice(20, 20);
        let groups = intern_all(&mut i, &[first, second]);
        let expected: Vec<usize> = (0..20).map(|r| r % 4).collect();
        assert_eq!(groups, vec![expected.clone(), expected]);
        assert_eq!(i.len(), 4);
        assert_eq!(i.by_long_view.len(), 4);
    }

    #[test]
    fn unique_long_values_turn_the_view_cache_off_and_still_group_right() {
        let ids: Vec<String> = (0..3000)
            .map(|k| format!("00000000-0000-0000-0000-{k:012}"))
            .collect();
        let mut rows: Vec<Option<&str>> = ids.iter().map(|s| Some(s.as_str())).collect();
        rows.push(Some(ids[5].as_str()));
        let mut i = ViewInterner::new();
        let groups = intern_all(&mut i, &[views(&rows), views(&rows)]);
        assert!(!i.cache_long_views);
        assert_eq!(i.len(), 3000);
        assert_eq!(groups[0][3000], 5);
        assert_eq!(groups[0], groups[1]);
    }
}
