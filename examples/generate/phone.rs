//! Random E.164 phone numbers (mostly US, some UK, Spanish and French mobiles),
//! held in a fixed buffer so that a task row costs no allocation.

use crate::rng::Rng;
use crate::vocab::US_AREAS;

/// An E.164 number without allocation.
#[derive(Clone, Copy)]
pub struct Phone {
    buf: [u8; 16],
    len: u8,
}

impl Phone {
    /// A number drawn from `r`.
    pub fn random(r: &mut Rng) -> Phone {
        let mut p = Phone { buf: [0; 16], len: 0 };
        let x = r.below(100);
        let (prefix, rest): (&str, usize) = if x < 85 {
            p.push("+1");
            p.push(US_AREAS[r.below(US_AREAS.len() as u64) as usize]);
            (["2", "3", "4", "5", "6", "7", "8", "9"][r.below(8) as usize], 6)
        } else if x < 90 {
            ("+447400", 6)
        } else if x < 95 {
            ("+34612", 6)
        } else {
            ("+336", 8)
        };
        p.push(prefix);
        for _ in 0..rest {
            p.buf[p.len as usize] = b'0' + r.below(10) as u8;
            p.len += 1;
        }
        p
    }

    fn push(&mut self, s: &str) {
        self.buf[self.len as usize..self.len as usize + s.len()].copy_from_slice(s.as_bytes());
        self.len += s.len() as u8;
    }

    /// The number as text, `+14155550123`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len as usize]).expect("ASCII digits")
    }
}
