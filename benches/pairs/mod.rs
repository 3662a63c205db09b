//! Ratios of two timings measured in alternating pairs, so that both sides of each ratio see
//! the same machine: criterion measures one benchmark after the other, and on a shared machine
//! the load can change in between.

use std::fmt;
use std::time::Instant;

/// The median ratio of `pairs` alternating measurements, with its quartiles.
pub struct Ratio {
    pairs: usize,
    quartiles: [f64; 3],
}

impl Ratio {
    /// Times `numerator` then `denominator`, `pairs` times, and keeps each pair's ratio.
    pub fn measure(
        pairs: usize,
        mut numerator: impl FnMut(),
        mut denominator: impl FnMut(),
    ) -> Ratio {
        let mut ratios: Vec<f64> = (0..pairs)
            .map(|_| {
                let started = Instant::now();
                numerator();
                let top = started.elapsed();
                let started = Instant::now();
                denominator();
                top.as_secs_f64() / started.elapsed().as_secs_f64()
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        Ratio {
            pairs,
            quartiles: [ratios[pairs / 4], ratios[pairs / 2], ratios[3 * pairs / 4]],
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [low, median, high] = self.quartiles;
        write!(
            f,
            "{} interleaved pairs: median {median:.2}, quartiles {low:.2} to {high:.2}",
            self.pairs
        )
    }
}
