//! UTF-16 exports (what Windows PowerShell's `>` and `Out-File` write by default) are decoded to
//! UTF-8 as they are read, so they load like any other file instead of looking binary.

use std::io::Read;

/// The byte order of a UTF-16 text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Utf16 {
    Le,
    Be,
}

/// Whether `prefix` (the start of a file) is UTF-16. Exports are mostly ASCII, which UTF-16
/// writes with a NUL in every other byte: with a byte-order mark, half the characters must look
/// so (a damaged UTF-8 line may start with the mark's bytes); without one, nearly all, and no NUL
/// in the other byte of a pair.
pub(crate) fn detect(prefix: &[u8]) -> Option<Utf16> {
    let (marked, body) = match prefix {
        [0xFF, 0xFE, rest @ ..] => (Some(Utf16::Le), rest),
        [0xFE, 0xFF, rest @ ..] => (Some(Utf16::Be), rest),
        _ => (None, prefix),
    };
    let pairs = &body[..body.len().min(512) & !1];
    let n = pairs.len() / 2;
    let (even_nul, odd_nul) = pairs.chunks(2).fold((0, 0), |(e, o), p| {
        (e + usize::from(p[0] == 0), o + usize::from(p[1] == 0))
    });
    let ascii = |order| match order {
        Utf16::Le => odd_nul,
        Utf16::Be => even_nul,
    };
    if let Some(order) = marked {
        return (n == 0 || ascii(order) * 2 >= n).then_some(order);
    }
    if n < 2 {
        return None;
    }
    if odd_nul * 10 >= n * 9 && even_nul == 0 {
        Some(Utf16::Le)
    } else if even_nul * 10 >= n * 9 && odd_nul == 0 {
        Some(Utf16::Be)
    } else {
        None
    }
}

/// Reads UTF-16 from `inner` and yields UTF-8 (a byte-order mark is dropped; an unpaired
/// surrogate becomes U+FFFD, as a decoder of bad UTF-8 would make it).
pub(crate) struct Utf16Reader<R> {
    inner: R,
    order: Utf16,
    /// Undecoded bytes (an odd byte, or the first half of a surrogate pair).
    raw: Vec<u8>,
    /// Decoded UTF-8 not handed out yet.
    out: Vec<u8>,
    out_pos: usize,
    started: bool,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub(crate) fn new(inner: R, order: Utf16) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            order,
            raw: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            started: false,
            eof: false,
        }
    }

    /// Decodes the next block of input into `out`.
    fn fill(&mut self) -> std::io::Result<()> {
        let mut block = [0u8; 64 << 10];
        let n = loop {
            match self.inner.read(&mut block) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        if n == 0 {
            self.eof = true;
        }
        self.raw.extend_from_slice(&block[..n]);
        let whole = self.raw.len() & !1;
        let mut units: Vec<u16> = self.raw[..whole]
            .chunks_exact(2)
            .map(|p| match self.order {
                Utf16::Le => u16::from_le_bytes([p[0], p[1]]),
                Utf16::Be => u16::from_be_bytes([p[0], p[1]]),
            })
            .collect();
        let mut keep = self.raw.split_off(whole);
        // A high surrogate at the end waits for its pair (unless the input has ended).
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            let last = units.pop().unwrap_or_default();
            let bytes = match self.order {
                Utf16::Le => last.to_le_bytes(),
                Utf16::Be => last.to_be_bytes(),
            };
            keep.splice(0..0, bytes);
        }
        self.raw = keep;
        if !self.started && !units.is_empty() {
            self.started = true;
            if units[0] == 0xFEFF {
                units.remove(0);
            }
        }
        self.out.clear();
        self.out_pos = 0;
        let mut utf8 = [0u8; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        if self.eof && !self.raw.is_empty() {
            // A lone last byte is half a character.
            self.raw.clear();
            self.out.extend_from_slice(
                char::REPLACEMENT_CHARACTER
                    .encode_utf8(&mut utf8)
                    .as_bytes(),
            );
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Decodes a whole UTF-16 text.
pub(crate) fn decode(bytes: &[u8], order: Utf16) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 2);
    // Reading from a slice cannot fail.
    let _ = Utf16Reader::new(bytes, order).read_to_end(&mut out);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;

    fn encode(text: &str, order: Utf16, bom: bool) -> Vec<u8> {
        let mut units: Vec<u16> = text.encode_utf16().collect();
        if bom {
            units.insert(0, 0xFEFF);
        }
        units
            .into_iter()
            .flat_map(|u| match order {
                Utf16::Le => u.to_le_bytes(),
                Utf16::Be => u.to_be_bytes(),
            })
            .collect()
    }

    #[test]
    fn detects_and_decodes_both_orders_with_and_without_a_mark() {
        let text = "{\"UserPrincipalName\":\"zoë@contoso.com 🙂\"}\r\n{\"a\":1}\r\n";
        for order in [Utf16::Le, Utf16::Be] {
            for bom in [true, false] {
                let bytes = encode(text, order, bom);
                assert_eq!(detect(&bytes), Some(order), "{order:?} {bom}");
                assert_eq!(String::from_utf8(decode(&bytes, order)).unwrap(), text);
            }
        }
    }

    #[test]
    fn decodes_across_reads_that_split_characters() {
        let text = "a🙂b".repeat(30_000);
        let bytes = encode(&text, Utf16::Le, true);
        // A reader that hands out 3 bytes at a time splits units and surrogate pairs.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(3).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        Utf16Reader::new(Trickle(&bytes), Utf16::Le)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn utf8_and_binary_are_not_utf16() {
        assert_eq!(detect(b"{\"a\":1}\n{\"a\":2}\n"), None);
        assert_eq!(detect(b"PAR1\x00\x00\x00\x00\x15\x04"), None);
        assert_eq!(detect(&[0u8; 64]), None);
        // A damaged UTF-8 line that happens to start with the bytes of a byte-order mark.
        assert_eq!(detect(b"\xff\xfe\xfd{\n{\"TenantId\":\"b8\"}\n"), None);
    }
}
