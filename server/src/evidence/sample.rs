//! Reproducible samples of a population, drawn in one pass with memory bounded by the sample
//! size (see [`app::domain::evidence::SAMPLING_METHOD`], which an auditor can re-perform).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub struct Reservoir {
    size: usize,
    seen: u64,
    rng: ChaCha8Rng,
    /// (1-based row number in the population file, the CSV line as written there).
    rows: Vec<(u64, String)>,
}

impl Reservoir {
    pub fn new(size: u32, seed: u64) -> Self {
        let size = size as usize;
        Reservoir { size, seen: 0, rng: ChaCha8Rng::seed_from_u64(seed), rows: Vec::with_capacity(size.min(1024)) }
    }

    /// Offers the next row of the population.
    pub fn offer(&mut self, line: &str) {
        let index = self.seen;
        self.seen += 1;
        if self.rows.len() < self.size {
            self.rows.push((index + 1, line.to_owned()));
            return;
        }
        let slot = self.rng.gen_range(0..=index);
        if let Some(row) = usize::try_from(slot).ok().and_then(|slot| self.rows.get_mut(slot)) {
            *row = (index + 1, line.to_owned());
        }
    }

    /// The sampled rows in population order, each with its row number.
    pub fn into_rows(mut self) -> Vec<(u64, String)> {
        self.rows.sort_by_key(|(row, _)| *row);
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(size: u32, seed: u64, population: u64) -> Vec<u64> {
        let mut reservoir = Reservoir::new(size, seed);
        for i in 0..population {
            reservoir.offer(&format!("row {i}"));
        }
        reservoir.into_rows().into_iter().map(|(row, _)| row).collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_sample() {
        assert_eq!(draw(10, 7, 1000), draw(10, 7, 1000));
        assert_ne!(draw(10, 7, 1000), draw(10, 8, 1000));
        let rows = draw(10, 7, 1000);
        assert_eq!(rows.len(), 10);
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "in population order, no repeats");
        assert!(rows.iter().all(|r| (1..=1000).contains(r)));
    }

    #[test]
    fn a_small_population_is_taken_whole() {
        assert_eq!(draw(10, 1, 4), vec![1, 2, 3, 4]);
    }

    #[test]
    fn every_row_is_about_equally_likely() {
        let mut hits = [0u32; 20];
        for seed in 0..4000 {
            for row in draw(5, seed, 20) {
                hits[(row - 1) as usize] += 1;
            }
        }
        // Each row is expected 4000 × 5 / 20 = 1000 times.
        assert!(hits.iter().all(|h| (850..=1150).contains(h)), "{hits:?}");
    }
}
