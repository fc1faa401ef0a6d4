//! Formatting rows without allocating: a reused byte buffer with writers for numbers,
//! zero-padded numbers, decimals, RFC 3339 timestamps, JSON strings and CSV fields.

use std::io::{self, Write};

/// A reused output line: rows are formatted here, then written in one call.
pub struct Line(pub Vec<u8>);

impl Line {
    /// An empty line.
    pub fn new() -> Line {
        Line(Vec::with_capacity(4096))
    }

    /// Empties the line.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Text, as is.
    pub fn s(&mut self, s: &str) -> &mut Line {
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// A number in decimal.
    pub fn u(&mut self, n: u64) -> &mut Line {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = n;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.0.extend_from_slice(&buf[i..]);
        self
    }

    /// `n` zero-padded to `width` digits.
    pub fn pad(&mut self, n: u64, width: usize) -> &mut Line {
        for _ in digits(n)..width {
            self.0.push(b'0');
        }
        self.u(n)
    }

    /// Thousandths as a decimal: 13 -> `0.013`.
    pub fn milli(&mut self, n: u64) -> &mut Line {
        self.u(n / 1000).s(".").pad(n % 1000, 3)
    }

    /// RFC 3339 in UTC: `2026-11-27T12:00:00Z`.
    pub fn ts(&mut self, t: i64) -> &mut Line {
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400) as u64;
        let (y, m, d) = civil_from_days(days);
        self.pad(y as u64, 4).s("-").pad(m, 2).s("-").pad(d, 2);
        self.s("T").pad(secs / 3600, 2).s(":").pad(secs / 60 % 60, 2).s(":").pad(secs % 60, 2).s("Z")
    }

    /// A JSON string literal.
    pub fn js(&mut self, s: &str) -> &mut Line {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push(b'"');
        let bytes = s.as_bytes();
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                self.0.extend_from_slice(&bytes[from..i]);
                match b {
                    b'"' => self.0.extend_from_slice(b"\\\""),
                    b'\\' => self.0.extend_from_slice(b"\\\\"),
                    b'\n' => self.0.extend_from_slice(b"\\n"),
                    b'\r' => self.0.extend_from_slice(b"\\r"),
                    b'\t' => self.0.extend_from_slice(b"\\t"),
                    _ => self.0.extend_from_slice(&[
                        b'\\',
                        b'u',
                        b'0',
                        b'0',
                        HEX[(b >> 4) as usize],
                        HEX[(b & 15) as usize],
                    ]),
                }
                from = i + 1;
            }
        }
        self.0.extend_from_slice(&bytes[from..]);
        self.0.push(b'"');
        self
    }

    /// A CSV field, quoted when it needs to be.
    pub fn cs(&mut self, s: &str) -> &mut Line {
        if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            self.0.push(b'"');
            for part in s.split('"').enumerate() {
                if part.0 > 0 {
                    self.s("\"\"");
                }
                self.s(part.1);
            }
            self.0.push(b'"');
        } else {
            self.s(s);
        }
        self
    }

    /// Writes the line out and empties it.
    pub fn flush(&mut self, w: &mut impl Write) -> io::Result<()> {
        w.write_all(&self.0)?;
        self.0.clear();
        Ok(())
    }
}

/// The number of decimal digits of `n`.
pub fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
