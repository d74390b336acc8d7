//! A test-side reader of certificates (docs/certificate.md), written from the spec and separate
//! from both the writer and the checker: it locates records so that tests can tamper with them.
#![allow(dead_code)]

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::io::{Read, Write};

/// A proof's place: offset of its first byte, its kind m, and the offsets of the multipliers'
/// values with their widths in bytes.
pub type ProofBytes = (usize, u64, Vec<(usize, usize)>);

/// One record of the tree: where it starts in the payload, its tag, the unit it decides (N for
/// a leaf), and where its proofs' and witness's bytes lie.
#[derive(Clone, Debug)]
pub struct Record {
    pub offset: usize,
    pub end: usize,
    pub tag: u8,
    pub unit: usize,
    pub proofs: Vec<ProofBytes>,
    /// Offset of a leaf's witness (n f64).
    pub witness: Option<usize>,
    /// For a BRANCH: where the negative child's stream starts and ends.
    pub second_child: Option<(usize, usize)>,
}

/// A decompressed certificate with its records located.
pub struct Parsed {
    pub payload: Vec<u8>,
    pub n: usize,
    pub units: usize,
    /// Offset of the claim (u8 status, varint regions, varint open).
    pub claim: usize,
    pub tree_start: usize,
    pub records: Vec<Record>,
}

pub fn decompress(file: &[u8]) -> Vec<u8> {
    assert_eq!(&file[..6], b"RRCERT");
    let mut out = Vec::new();
    ZlibDecoder::new(&file[8..])
        .read_to_end(&mut out)
        .expect("zlib payload");
    out
}

pub fn compress(payload: &[u8]) -> Vec<u8> {
    let mut out = b"RRCERT".to_vec();
    out.extend_from_slice(&1u16.to_le_bytes());
    let mut z = ZlibEncoder::new(out, Compression::fast());
    z.write_all(payload).unwrap();
    z.finish().unwrap()
}

struct Cursor<'a> {
    p: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn varint(&mut self) -> u64 {
        let (mut v, mut s) = (0u64, 0);
        loop {
            let b = self.p[self.i];
            self.i += 1;
            v |= u64::from(b & 0x7f) << s;
            s += 7;
            if b < 0x80 {
                return v;
            }
        }
    }
    fn proof(&mut self) -> ProofBytes {
        let at = self.i;
        let m = self.varint();
        let mut values = Vec::new();
        if m >= 2 {
            for _ in 0..m - 1 {
                let iw = self.varint();
                let width = if iw & 1 == 1 { 8 } else { 4 };
                values.push((self.i, width));
                self.i += width;
            }
        }
        (at, m, values)
    }
}

pub fn parse(file: &[u8]) -> Parsed {
    let payload = decompress(file);
    let mut c = Cursor { p: &payload, i: 32 };
    let n = c.varint() as usize;
    let layers = c.varint() as usize;
    let units: usize = (0..layers).map(|_| c.varint() as usize).sum();
    let kind = payload[c.i];
    c.i += 1;
    c.i += 8 * n + if kind == 0 { 8 } else { 8 * n };
    c.i += 8 * n;
    for _ in 0..n {
        c.varint();
    }
    let claim = c.i;
    c.i += 1;
    c.varint();
    c.varint();
    let tree_start = c.i;
    let mut records = Vec::new();
    node(&mut c, 0, units, n, &mut records);
    assert_eq!(payload[c.i], 0xFF, "end marker");
    assert_eq!(c.i + 1, payload.len(), "nothing after the end marker");
    Parsed {
        payload,
        n,
        units,
        claim,
        tree_start,
        records,
    }
}

/// Reads the node of next unit `j` and its subtree; returns where it ends.
fn node(c: &mut Cursor, j: usize, units: usize, n: usize, records: &mut Vec<Record>) -> usize {
    let offset = c.i;
    let tag = c.p[c.i];
    c.i += 1;
    let me = records.len();
    records.push(Record {
        offset,
        end: 0,
        tag,
        unit: j,
        proofs: Vec::new(),
        witness: None,
        second_child: None,
    });
    match (j == units, tag) {
        (true, 0x10) => {
            records[me].witness = Some(c.i);
            c.i += 8 * n;
        }
        (_, 0x11) => {}
        (false, 0x01 | 0x02) => {
            let p = c.proof();
            records[me].proofs.push(p);
            records[me].end = c.i;
            return node(c, j + 1, units, n, records);
        }
        (false, 0x03) => {
            records[me].end = c.i;
            node(c, j + 1, units, n, records);
            let start = c.i;
            let end = node(c, j + 1, units, n, records);
            records[me].second_child = Some((start, end));
            return end;
        }
        (false, 0x04) => {
            let p = c.proof();
            records[me].proofs.push(p);
            let p = c.proof();
            records[me].proofs.push(p);
        }
        (false, 0x05 | 0x06) => {
            records[me].end = c.i;
            return node(c, j + 1, units, n, records);
        }
        other => panic!("unexpected record {other:?} at {offset}"),
    }
    records[me].end = c.i;
    c.i
}

impl Parsed {
    pub fn leaves(&self) -> Vec<&Record> {
        self.records.iter().filter(|r| r.tag == 0x10).collect()
    }

    /// The payload with bytes [from, to) replaced by `with`, compressed as a certificate.
    pub fn splice(&self, from: usize, to: usize, with: &[u8]) -> Vec<u8> {
        let mut p = self.payload[..from].to_vec();
        p.extend_from_slice(with);
        p.extend_from_slice(&self.payload[to..]);
        compress(&p)
    }

    pub fn witness(&self, leaf: &Record) -> Vec<f64> {
        let at = leaf.witness.unwrap();
        (0..self.n)
            .map(|k| {
                let b: [u8; 8] = self.payload[at + 8 * k..at + 8 * k + 8].try_into().unwrap();
                f64::from_le_bytes(b)
            })
            .collect()
    }
}

pub fn f64s(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}
