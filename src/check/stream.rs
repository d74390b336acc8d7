//! The certificate container and the bounds-checked reads of its payload.
//!
//! The file is `RRCERT`, a u16 LE version, then one zlib stream. The payload is inflated as it
//! is read (memory does not grow with the certificate); every read checks that its bytes exist
//! and reports the payload offset when they do not. Nothing may follow the zlib stream.

use super::Fault;
use flate2::bufread::ZlibDecoder;
use std::io::{BufRead, Read};

/// The file's first six bytes.
pub const MAGIC: &[u8; 6] = b"RRCERT";
/// The only format version this checker reads.
pub const VERSION: u16 = 1;
/// Payloads longer than this are refused (64 GiB: far above any real certificate; memory does
/// not depend on it since the payload is streamed).
pub const MAX_PAYLOAD: u64 = 64 << 30;
/// Longest LEB128 encoding of a value < 2^64.
const MAX_VARINT_BYTES: u32 = 10;
/// Inflated bytes buffered at a time.
const CHUNK: usize = 1 << 16;

/// Reads and checks the 8-byte header of a count certificate (magic and version).
pub fn read_header<R: BufRead>(input: &mut R) -> Result<(), Fault> {
    read_container_header(input, MAGIC, VERSION, "certificate")
}

/// Reads and checks a container's header: `magic`, then a u16 LE version that must be
/// `version`; `kind` names the file kind in the messages.
pub fn read_container_header<R: BufRead>(
    input: &mut R,
    magic: &[u8],
    version: u16,
    kind: &str,
) -> Result<(), Fault> {
    let mut head = vec![0u8; magic.len() + 2];
    let mut got = 0;
    while got < head.len() {
        match input.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Fault::unreadable(format!("reading the header: {e}"))),
        }
    }
    let name = String::from_utf8_lossy(magic);
    if got < head.len() || &head[..magic.len()] != magic {
        return Err(Fault::unreadable(format!(
            "not a {kind}: the file does not start with {name} and a format version"
        )));
    }
    let found = u16::from_le_bytes([head[magic.len()], head[magic.len() + 1]]);
    if found != version {
        return Err(Fault::unreadable(format!(
            "unsupported {kind} format version {found}; this checker reads version {version}"
        )));
    }
    Ok(())
}

/// The inflated payload, read through a buffer with bounds-checked reads.
pub struct Payload<R: BufRead> {
    inflate: ZlibDecoder<R>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// Payload offset of `buf[0]`.
    base: u64,
}

impl<R: BufRead> Payload<R> {
    /// The payload of the zlib stream that `input` starts with.
    pub fn new(input: R) -> Self {
        Payload {
            inflate: ZlibDecoder::new(input),
            buf: vec![0; CHUNK],
            pos: 0,
            len: 0,
            base: 0,
        }
    }

    /// Payload offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Refills the buffer; false at the end of the stream.
    fn fill(&mut self) -> Result<bool, Fault> {
        if self.pos < self.len {
            return Ok(true);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.inflate.read(&mut self.buf) {
                Ok(0) => return Ok(false),
                Ok(k) => {
                    self.len = k;
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Fault::unreadable(format!(
                        "the compressed payload is truncated or corrupt after {} bytes: {e}",
                        self.base
                    )))
                }
            }
        }
        if self.base + self.len as u64 > MAX_PAYLOAD {
            return Err(Fault::unreadable(format!(
                "the payload is larger than {MAX_PAYLOAD} bytes; refused"
            )));
        }
        Ok(true)
    }

    /// One byte; `what` names the field for the truncation message.
    pub fn u8(&mut self, what: &str) -> Result<u8, Fault> {
        if !self.fill()? {
            return Err(Fault::unreadable(format!(
                "truncated: the payload ends at byte {} while reading {what}",
                self.offset()
            )));
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    /// `N` bytes.
    pub fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], Fault> {
        let mut out = [0u8; N];
        for b in out.iter_mut() {
            *b = self.u8(what)?;
        }
        Ok(out)
    }

    /// Unsigned LEB128, at most 10 bytes, value < 2^64.
    pub fn varint(&mut self, what: &str) -> Result<u64, Fault> {
        let start = self.offset();
        let mut value: u64 = 0;
        for i in 0..MAX_VARINT_BYTES {
            let b = self.u8(what)?;
            let bits = u64::from(b & 0x7f);
            // the 10th byte holds bit 63 only
            if i == MAX_VARINT_BYTES - 1 && (bits > 1 || b & 0x80 != 0) {
                break;
            }
            value |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Fault::unreadable(format!(
            "bad varint at byte {start} ({what}): longer than 10 bytes or ≥ 2^64"
        )))
    }

    /// A zigzag-encoded signed varint.
    pub fn zvarint(&mut self, what: &str) -> Result<i64, Fault> {
        let v = self.varint(what)?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// An IEEE 754 binary64, little endian (finiteness is the caller's check).
    pub fn f64(&mut self, what: &str) -> Result<f64, Fault> {
        Ok(f64::from_le_bytes(self.bytes::<8>(what)?))
    }

    /// Checks that the payload is over and that no byte follows the zlib stream in the input.
    pub fn finish(mut self) -> Result<(), Fault> {
        if self.fill()? {
            return Err(Fault::unreadable(format!(
                "trailing bytes after the end marker at payload byte {}",
                self.offset()
            )));
        }
        let mut input = self.inflate.into_inner();
        match input.fill_buf() {
            Ok([]) => Ok(()),
            Ok(_) => Err(Fault::unreadable(
                "trailing bytes after the compressed payload",
            )),
            Err(e) => Err(Fault::unreadable(format!("reading the certificate: {e}"))),
        }
    }
}
