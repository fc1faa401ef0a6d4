//! Random E.164 phone numbers from twelve countries (mostly the US, then Canada, the
//! UK, Spain, France, Germany, Italy, Mexico, Brazil, Australia, India and Japan),
//! each in a mobile or geographic range the numbering plans accept, held in a fixed
//! buffer so that a task row costs no allocation.

use crate::rng::Rng;
use crate::vocab::US_AREAS;

/// An E.164 number without allocation.
#[derive(Clone, Copy)]
pub struct Phone {
    buf: [u8; 16],
    len: u8,
}

/// Per country: its share in percent (cumulative), the prefix (country code and the
/// start of a valid range) and how many random digits follow.
const PLANS: [(u64, &str, usize); 11] = [
    (66, "", 0),      // the US: an area code, then seven digits (below)
    (70, "+1416", 0), // Canada (Toronto): like the US, the exchange starts with 2-9
    (75, "+447400", 6),
    (79, "+34612", 6),
    (83, "+3361", 7),
    (86, "+49151", 8),
    (88, "+39347", 7),
    (90, "+5255", 8),
    (93, "+55119", 8),
    (95, "+6141", 7),
    (98, "+9198", 8),
];

impl Phone {
    /// A number drawn from `r`.
    pub fn random(r: &mut Rng) -> Phone {
        let mut p = Phone { buf: [0; 16], len: 0 };
        let x = r.below(100);
        let rest = match PLANS.iter().find(|(up, _, _)| x < *up) {
            Some((_, prefix, 0)) => {
                match *prefix {
                    "" => {
                        p.push("+1");
                        p.push(US_AREAS[r.below(US_AREAS.len() as u64) as usize]);
                    }
                    canada => p.push(canada),
                }
                p.push(["2", "3", "4", "5", "6", "7", "8", "9"][r.below(8) as usize]);
                6
            }
            Some((_, prefix, rest)) => {
                p.push(prefix);
                *rest
            }
            // Japan: a mobile number, +81 90 1 then seven digits.
            None => {
                p.push("+81901");
                7
            }
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_from_twelve_countries_and_are_valid() {
        let mut r = Rng::new(7, 0, 0);
        let mut countries = std::collections::BTreeSet::new();
        let mut invalid = Vec::new();
        for _ in 0..20_000 {
            let p = Phone::random(&mut r);
            let parsed = phonenumber::parse(None, p.as_str()).unwrap();
            if !phonenumber::is_valid(&parsed) {
                invalid.push(p.as_str().to_string());
            }
            countries.insert(parsed.code().value());
        }
        invalid.truncate(20);
        assert!(invalid.is_empty(), "not valid: {invalid:?}");
        assert!(countries.len() >= 11, "{countries:?}");
    }
}
