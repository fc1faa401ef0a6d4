//! Medians and percentiles over millions of values without keeping the values.

use std::collections::BTreeMap;

/// Counts of values at millisecond resolution; quantiles use the nearest-rank method.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distribution {
    counts: BTreeMap<u64, u64>,
    count: u64,
    sum: f64,
}

impl Distribution {
    /// Adds one value (≥ 0).
    pub fn add(&mut self, value: f64) {
        let key = (value * 1000.0).round() as u64;
        *self.counts.entry(key).or_default() += 1;
        self.count += 1;
        self.sum += value;
    }

    /// How many values were added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The mean, or `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The smallest value `v` such that at least `q`·count values are ≤ `v` (nearest rank).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (key, n) in &self.counts {
            seen += n;
            if seen >= rank {
                return Some(*key as f64 / 1000.0);
            }
        }
        None
    }

    /// Counts per bucket: values `< bounds[0]`, `< bounds[1]`, …, and the rest.
    pub fn histogram(&self, bounds: &[f64]) -> Vec<u64> {
        let mut out = vec![0; bounds.len() + 1];
        for (key, n) in &self.counts {
            let v = *key as f64 / 1000.0;
            let i = bounds.iter().position(|b| v < *b).unwrap_or(bounds.len());
            out[i] += n;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let mut d = Distribution::default();
        for v in [5.0, 1.0, 3.0, 2.0, 4.0] {
            d.add(v);
        }
        assert_eq!(d.quantile(0.5), Some(3.0));
        assert_eq!(d.quantile(0.9), Some(5.0));
        assert_eq!(d.quantile(0.2), Some(1.0));
        assert_eq!(d.histogram(&[2.0, 4.0]), vec![1, 2, 2]);
        assert_eq!(Distribution::default().quantile(0.5), None);
    }
}
