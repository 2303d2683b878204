//! Where CSV records begin and end: the one rule the chunk cutter and the row parser share, so
//! that records are the same however a file is cut into chunks.
//!
//! A record is what the `csv` crate reads from a record boundary: a quote opens a quoted field
//! only at a field's start (elsewhere it is a byte of its field), a field goes on unquoted
//! after its closing quote, and a CR, an LF or a CRLF outside quotes ends the record. One
//! amendment: a record that breaks the quoting rules (see [`well_quoted`]) and runs over line
//! breaks is cut to its first line, and reading goes on at the next line, so that a stray
//! quote costs its own line only. [`Splitter`] reads records so.
//!
//! Nearly every record quotes by the rules, and there the quotes alone say where records end:
//! at a line end with an even number of quotes before it, counted from a boundary. [`plain`]
//! checks the rules 64 bytes at a time and finds those ends on the way, so the chunk cutter
//! reads with [`Splitter`] only from the last boundary before a stray quote.

use std::io::Cursor;

/// Whether a record's raw bytes quote by the rules: a field is either wholly quoted (quotes
/// inside doubled) or holds no quote at all. The CSV readers take a stray quote
/// (`"unterminated"123,...`, `a"b`) as part of a field; such a row's fields cannot be trusted.
/// The end reads as a separator.
pub fn well_quoted(raw: &[u8]) -> bool {
    let mut walk = Walk::new();
    let whole = raw.chunks_exact(64);
    let rest = whole.remainder();
    for (k, block) in whole.enumerate() {
        let next = raw.get(64 * (k + 1)).copied();
        if walk
            .block::<Portable>(block.try_into().unwrap(), next)
            .broken
            != 0
        {
            return false;
        }
    }
    if !rest.is_empty() && walk.block::<Portable>(&padded(rest), None).broken != 0 {
        return false;
    }
    !walk.odd
}

/// What [`plain`] found in bytes that start at a record boundary, read while the quoting rules
/// hold.
#[derive(Debug, Default, PartialEq)]
pub struct Plain {
    /// One past the last record end that may end a chunk (a line feed, or a CR not followed by
    /// one, outside quotes) before the rules break.
    pub last_cut: Option<usize>,
    /// Where the rules first break (a stray quote), or, at the end of the input, the end when
    /// a quote is left open: from the last cut before it, records are the exact reader's.
    pub broken: Option<usize>,
    /// The first CR outside quotes not followed by a line feed, before the rules break: the
    /// `csv` crate ends a record there and `simd-csv` does not.
    pub lone_cr: Option<usize>,
    /// Where the first record longer than the limit starts, among those that end before the
    /// rules break.
    pub too_long: Option<usize>,
}

/// Read `bytes`, which start at a record boundary, while the quoting rules hold; `eof` when
/// nothing follows them. Under the rules a quote's parity says whether it opens or closes a
/// field, so the `csv` crate's records end exactly at the CRs and LFs with an even number of
/// quotes before them.
pub fn plain(bytes: &[u8], eof: bool, max_record: usize) -> Plain {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("pclmulqdq") {
        // SAFETY: the CPU has both.
        return unsafe { plain_avx2(bytes, eof, max_record) };
    }
    plain_with::<Portable>(bytes, eof, max_record)
}

/// [`plain`] with AVX2 and carry-less multiplication: the cutter reads every byte of the
/// input on one thread, and these take a third off its time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,pclmulqdq")]
fn plain_avx2(bytes: &[u8], eof: bool, max_record: usize) -> Plain {
    plain_with::<Avx2>(bytes, eof, max_record)
}

#[inline(always)]
fn plain_with<B: Bits>(bytes: &[u8], eof: bool, max_record: usize) -> Plain {
    let mut scan = Scan {
        bytes,
        eof,
        max_record,
        out: Plain::default(),
        walk: Walk::new(),
        record: 0,
    };
    // Whole blocks are read in place, and the last apart: a block that may be a padded copy
    // made the compiler assemble every block byte by byte.
    let whole = bytes.chunks_exact(64);
    let rest = whole.remainder();
    for (k, block) in whole.enumerate() {
        if scan.block::<B>(block.try_into().unwrap(), 64 * k) {
            return scan.out;
        }
    }
    if !rest.is_empty() && scan.block::<B>(&padded(rest), bytes.len() - rest.len()) {
        return scan.out;
    }
    if eof {
        if scan.walk.odd {
            scan.out.broken = Some(bytes.len());
        } else if bytes.len() - scan.record > max_record {
            scan.out.too_long = Some(scan.record);
        }
    }
    scan.out
}

/// [`plain`] under way.
struct Scan<'b> {
    bytes: &'b [u8],
    eof: bool,
    max_record: usize,
    out: Plain,
    walk: Walk,
    /// Where the record being read starts.
    record: usize,
}

impl Scan<'_> {
    /// The block at `base`; `true` when the scan is over.
    #[inline(always)]
    fn block<B: Bits>(&mut self, block: &[u8; 64], base: usize) -> bool {
        let next = self.bytes.get(base + 64).copied();
        let b = self.walk.block::<B>(block, next);
        let outside = !b.inside;
        let lf_after = (b.lf >> 1) | ((next == Some(b'\n')) as u64) << 63;
        let mut lone = b.cr & outside & !lf_after;
        if !self.eof && base + 64 >= self.bytes.len() {
            // Whether the last byte, a CR, is followed by a line feed is for bytes not read yet.
            lone &= !(1 << (self.bytes.len() - base - 1));
        }
        // Only what comes before the first break counts.
        let before = match b.broken {
            0 => !0,
            broken => (1 << broken.trailing_zeros()) - 1,
        };
        let mut ends = (b.cr | b.lf) & outside & before;
        while ends != 0 {
            let end = base + ends.trailing_zeros() as usize + 1;
            if end - self.record > self.max_record {
                self.out.too_long = Some(self.record);
                return true;
            }
            self.record = end;
            ends &= ends - 1;
        }
        let cuts = ((b.lf & outside) | lone) & before;
        if cuts != 0 {
            self.out.last_cut = Some(base + 64 - cuts.leading_zeros() as usize);
        }
        let lone = lone & before;
        if lone != 0 && self.out.lone_cr.is_none() {
            self.out.lone_cr = Some(base + lone.trailing_zeros() as usize);
        }
        if b.broken != 0 {
            self.out.broken = Some(base + b.broken.trailing_zeros() as usize);
        }
        b.broken != 0
    }
}

/// The last bytes of an input, padded to a block with separators (the end reads as one).
fn padded(rest: &[u8]) -> [u8; 64] {
    let mut block = [b','; 64];
    block[..rest.len()].copy_from_slice(rest);
    block
}

/// Reads records as the module says: the `csv` crate's, a malformed one that runs over line
/// breaks cut to its first line.
pub struct Splitter<'b> {
    bytes: &'b [u8],
    rdr: csv::Reader<Cursor<&'b [u8]>>,
}

/// One record as [`Splitter`] reads it.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// Where reading it began (blank lines before it included).
    pub start: usize,
    /// Where the next record begins.
    pub end: usize,
    /// How far the `csv` crate read it: past `end` when a malformed record was cut to its
    /// first line.
    pub read_to: usize,
    /// It breaks the quoting rules.
    pub malformed: bool,
}

impl<'b> Splitter<'b> {
    pub fn new(bytes: &'b [u8]) -> Splitter<'b> {
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            // The default, 8 KiB, for all but small inputs (the cutter reads a few records).
            .buffer_capacity(bytes.len().clamp(64, 8 << 10))
            .from_reader(Cursor::new(bytes));
        Splitter { bytes, rdr }
    }

    /// The next record, its fields read into `rec`; `None` at the end. An error (which a
    /// reader in memory does not meet) comes with where the record began.
    pub fn next_record(
        &mut self,
        rec: &mut csv::ByteRecord,
    ) -> Option<Result<Step, (usize, csv::Error)>> {
        let start = self.rdr.position().byte() as usize;
        match self.rdr.read_byte_record(rec) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => return Some(Err((start, e))),
        }
        let read_to = (self.rdr.position().byte() as usize).min(self.bytes.len());
        let start = start.min(read_to);
        let raw = &self.bytes[start..read_to];
        let malformed = !well_quoted(raw);
        let mut end = read_to;
        if malformed {
            let blank = leading_line_ends(raw);
            match memchr::memchr(b'\n', &raw[blank..]) {
                Some(lf) if blank + lf + 1 < raw.len() => {
                    end = start + blank + lf + 1;
                    let mut next = csv::Position::new();
                    next.set_byte(end as u64);
                    if let Err(e) = self.rdr.seek(next) {
                        return Some(Err((start, e)));
                    }
                }
                _ => {}
            }
        }
        Some(Ok(Step {
            start,
            end,
            read_to,
            malformed,
        }))
    }
}

/// How many CRs and LFs `bytes` starts with (blank lines the readers skip).
pub fn leading_line_ends(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .count()
}

/// The quoting rules walked 64 bytes at a time on bit masks (bit i for byte i of a block).
///
/// Quotes alternate in parity, counted from a record's start. One with an even count before it
/// opens a field or is the second of a doubled pair, so the byte before it is a separator, a
/// quote or the start; one with an odd count closes a field or starts a doubled pair, so the
/// byte after it is a separator, a quote or the end; and the count ends even. Archive rows
/// quote every field: visiting quote by quote was a quarter of parsing them.
struct Walk {
    /// An odd number of quotes so far.
    odd: bool,
    /// The byte before the block is a separator or a quote (the start counts as one).
    bound_before: bool,
}

/// One block's bytes that matter.
struct Block {
    cr: u64,
    lf: u64,
    /// Bytes with an odd number of quotes up to them: inside a quoted field.
    inside: u64,
    /// Quotes that break the rules.
    broken: u64,
}

impl Walk {
    fn new() -> Walk {
        Walk {
            odd: false,
            bound_before: true,
        }
    }

    /// The next block, and the byte after it (`None` at the end, which reads as a separator).
    #[inline(always)]
    fn block<B: Bits>(&mut self, block: &[u8; 64], next: Option<u8>) -> Block {
        // SAFETY: `Avx2` is used only where the CPU has its instructions (see `plain`).
        let m = unsafe { B::masks(block) };
        let bounds = m.quotes | m.commas | m.cr | m.lf;
        // Inclusive prefix parity of the quotes, flipped if an odd count came before.
        // SAFETY: as above.
        let mut parity = unsafe { B::prefix_xor(m.quotes) };
        if self.odd {
            parity = !parity;
        }
        let opening = m.quotes & parity; // even count before
        let closing = m.quotes & !parity; // odd count before
        let next_bound = next.is_none_or(|b| matches!(b, b'"' | b',' | b'\r' | b'\n'));
        let before = (bounds << 1) | self.bound_before as u64;
        let after = (bounds >> 1) | (next_bound as u64) << 63;
        self.odd = parity >> 63 == 1;
        self.bound_before = bounds >> 63 == 1;
        Block {
            cr: m.cr,
            lf: m.lf,
            inside: parity,
            broken: (opening & !before) | (closing & !after),
        }
    }
}

/// How a block's bit masks are computed.
trait Bits {
    /// The block's quotes, commas, CRs and LFs.
    ///
    /// # Safety
    /// The CPU has the instructions the implementation uses.
    unsafe fn masks(block: &[u8; 64]) -> Masks;

    /// Bit i set when bits 0 to i of `x` hold an odd number of ones.
    ///
    /// # Safety
    /// As for `masks`.
    unsafe fn prefix_xor(x: u64) -> u64;
}

/// What every CPU has (SSE2, on x86-64).
struct Portable;

impl Bits for Portable {
    #[inline(always)]
    unsafe fn masks(block: &[u8; 64]) -> Masks {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE2 is part of x86-64 itself.
        return unsafe { masks(block) };
        #[cfg(not(target_arch = "x86_64"))]
        masks(block)
    }

    #[inline(always)]
    unsafe fn prefix_xor(mut x: u64) -> u64 {
        for shift in [1, 2, 4, 8, 16, 32] {
            x ^= x << shift;
        }
        x
    }
}

/// AVX2 compares and a carry-less multiplication for the parity.
#[cfg(target_arch = "x86_64")]
struct Avx2;

#[cfg(target_arch = "x86_64")]
impl Bits for Avx2 {
    #[inline(always)]
    unsafe fn masks(block: &[u8; 64]) -> Masks {
        use std::arch::x86_64::*;
        // SAFETY: the caller's CPU has AVX2; both loads read 32 of the block's 64 bytes.
        unsafe {
            let lo = _mm256_loadu_si256(block.as_ptr().cast());
            let hi = _mm256_loadu_si256(block.as_ptr().add(32).cast());
            // A macro, not a closure: a closure does not take on the caller's features.
            macro_rules! eq {
                ($b:expr) => {{
                    let b = _mm256_set1_epi8($b as i8);
                    let lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, b)) as u32 as u64;
                    let hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, b)) as u32 as u64;
                    lo | hi << 32
                }};
            }
            Masks {
                quotes: eq!(b'"'),
                commas: eq!(b','),
                cr: eq!(b'\r'),
                lf: eq!(b'\n'),
            }
        }
    }

    #[inline(always)]
    unsafe fn prefix_xor(x: u64) -> u64 {
        use std::arch::x86_64::*;
        // SAFETY: the caller's CPU has PCLMULQDQ (and SSE2, part of x86-64).
        unsafe {
            let x = _mm_set_epi64x(0, x as i64);
            _mm_cvtsi128_si64(_mm_clmulepi64_si128(x, _mm_set1_epi8(-1), 0)) as u64
        }
    }
}

/// Bit masks of a block's quotes, commas, CRs and LFs.
struct Masks {
    quotes: u64,
    commas: u64,
    cr: u64,
    lf: u64,
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn masks(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*; // SSE2, which every x86-64 has
    let mut m = Masks {
        quotes: 0,
        commas: 0,
        cr: 0,
        lf: 0,
    };
    for (k, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: `part` holds 16 bytes; the load is unaligned.
        let v = unsafe { _mm_loadu_si128(part.as_ptr().cast()) };
        let eq = |b: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u16;
        let at = 16 * k;
        m.quotes |= (eq(b'"') as u64) << at;
        m.commas |= (eq(b',') as u64) << at;
        m.cr |= (eq(b'\r') as u64) << at;
        m.lf |= (eq(b'\n') as u64) << at;
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8; 64]) -> Masks {
    let bits = |c: u8| {
        block
            .iter()
            .enumerate()
            .fold(0, |m, (i, &b)| m | ((b == c) as u64) << i)
    };
    Masks {
        quotes: bits(b'"'),
        commas: bits(b','),
        cr: bits(b'\r'),
        lf: bits(b'\n'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quoting rules walked byte by byte, as a state machine: what `well_quoted` must
    /// agree with.
    fn well_quoted_bytewise(raw: &[u8]) -> bool {
        #[derive(PartialEq)]
        enum S {
            Start,
            Bare,
            Quoted,
            QuoteInQuoted,
        }
        let mut s = S::Start;
        for &b in raw {
            s = match (s, b) {
                (S::Start, b'"') => S::Quoted,
                (S::Start | S::Bare, b',' | b'\r' | b'\n') => S::Start,
                (S::Start | S::Bare, _) if b == b'"' => return false,
                (S::Start | S::Bare, _) => S::Bare,
                (S::Quoted, b'"') => S::QuoteInQuoted,
                (S::Quoted, _) => S::Quoted,
                (S::QuoteInQuoted, b'"') => S::Quoted,
                (S::QuoteInQuoted, b',' | b'\r' | b'\n') => S::Start,
                (S::QuoteInQuoted, _) => return false,
            };
        }
        s != S::Quoted
    }

    #[test]
    fn quotes_are_checked_as_the_bytewise_rules_say() {
        // Every string of up to 7 bytes over the bytes that matter.
        let alphabet = [b'"', b',', b'\r', b'\n', b'a'];
        let mut checked = 0;
        for len in 0..=7u32 {
            for mut code in 0..5usize.pow(len) {
                let raw: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[code % 5];
                        code /= 5;
                        b
                    })
                    .collect();
                assert_eq!(
                    well_quoted(&raw),
                    well_quoted_bytewise(&raw),
                    "{:?}",
                    String::from_utf8_lossy(&raw)
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 97_656);
    }

    #[test]
    fn quotes_are_checked_across_blocks_as_the_bytewise_rules_say() {
        // Long records, mostly well quoted, with the bytes that matter at every offset of the
        // 64-byte blocks.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut good, mut bad) = (0, 0);
        for _ in 0..20_000 {
            let mut raw = Vec::new();
            let fields = 1 + next() % 12;
            for f in 0..fields {
                if f > 0 {
                    raw.push(b',');
                }
                let len = next() % 40;
                let quoted = next() % 2 == 0;
                if quoted {
                    raw.push(b'"');
                }
                for _ in 0..len {
                    raw.push(match next() % 9 {
                        0 if quoted => b'"',
                        0 => b'a',
                        1 if quoted => b',',
                        _ => b'a',
                    });
                    if quoted && raw.last() == Some(&b'"') {
                        raw.push(b'"');
                    }
                }
                if quoted {
                    raw.push(b'"');
                }
            }
            raw.push(b'\n');
            if next() % 3 == 0 {
                // A stray or missing quote somewhere.
                let at = (next() % raw.len() as u64) as usize;
                if raw[at] == b'"' {
                    raw.remove(at);
                } else {
                    raw.insert(at, b'"');
                }
            }
            let expected = well_quoted_bytewise(&raw);
            assert_eq!(
                well_quoted(&raw),
                expected,
                "{:?}",
                String::from_utf8_lossy(&raw)
            );
            if expected {
                good += 1;
            } else {
                bad += 1;
            }
        }
        assert!(good > 10_000 && bad > 3_000, "{good} {bad}");
    }

    #[test]
    fn plain_reads_alike_with_every_instruction_set() {
        // `plain` takes AVX2 where the CPU has it; the portable walk must agree, on inputs
        // of every length around the 64-byte blocks, cut short or whole.
        let mut state = 0x853c_49e6_748f_ea9bu64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut alphabet = [b'a'; 32];
        alphabet[..6].copy_from_slice(b"\",,\r\n\n");
        for _ in 0..20_000 {
            let len = next(300) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| alphabet[next(32) as usize]).collect();
            let (eof, max) = (next(2) == 0, 1 + next(100) as usize);
            assert_eq!(
                plain(&bytes, eof, max),
                plain_with::<Portable>(&bytes, eof, max),
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}
