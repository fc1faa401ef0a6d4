//! The random source: splitmix64, seeded per campaign and per stream. Everything the
//! generator draws goes through it, which is what makes the output depend only on the
//! options (not on thread count or write order).

/// A splitmix64 generator.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// The stream `stream` of campaign `campaign`: each campaign and each of its
    /// concerns (task classes, rows, plan, rejects, preview, campaign.json) draws from
    /// its own stream, so one concern's draws never shift another's.
    pub fn new(seed: u64, campaign: u64, stream: u64) -> Rng {
        let mut r =
            Rng(seed ^ campaign.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
}
