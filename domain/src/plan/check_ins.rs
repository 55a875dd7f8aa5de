//! Check-ins: the person's 1–7 ratings of their life areas, made again and again, read
//! back as a series per area and drawn as a simple chart (the geometry lives here so it is
//! tested natively; the app only turns the points into SVG).

use super::SectionView;
use super::schema::LIFE_AREAS;

#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    pub id: String,
    /// When the check-in was made, in milliseconds since 1970 (UTC).
    pub at_ms: u64,
    /// The areas rated this time, in the usual order; skipped areas are absent.
    pub ratings: Vec<(&'static str, u8)>,
    pub note: String,
}

/// Every check-in, oldest first.
pub fn check_ins(view: &SectionView) -> Vec<CheckIn> {
    let mut all: Vec<CheckIn> = view
        .items("check_ins")
        .iter()
        .map(|item| CheckIn {
            id: item.id.clone(),
            at_ms: item.added_at_ms,
            ratings: LIFE_AREAS
                .iter()
                .filter_map(|area| Some((*area, item.part(area).parse().ok()?)))
                .collect(),
            note: item.part("note").to_string(),
        })
        .collect();
    all.sort_by(|a, b| a.at_ms.cmp(&b.at_ms).then_with(|| a.id.cmp(&b.id)));
    all
}

/// One area's ratings over time, oldest first: (when, rating).
pub fn series(check_ins: &[CheckIn], area: &str) -> Vec<(u64, u8)> {
    check_ins
        .iter()
        .filter_map(|c| {
            let (_, rating) = c.ratings.iter().find(|(a, _)| *a == area)?;
            Some((c.at_ms, *rating))
        })
        .collect()
}

/// The drawing area of a chart, in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartBox {
    pub width: f64,
    pub height: f64,
    /// Space kept clear on every side (for labels and the dots' size).
    pub margin: f64,
}

impl ChartBox {
    /// The height of a rating: 1 at the bottom, 7 at the top.
    pub fn y_of(&self, rating: u8) -> f64 {
        let inner = self.height - 2.0 * self.margin;
        let step = f64::from(rating.clamp(1, 7) - 1) / 6.0;
        self.height - self.margin - step * inner
    }

    /// Where each rating of a series is drawn. Time runs left to right in proportion to
    /// the real gaps between check-ins; a single check-in sits in the middle.
    pub fn points(&self, series: &[(u64, u8)]) -> Vec<(f64, f64)> {
        let (Some(first), Some(last)) = (
            series.iter().map(|(at, _)| *at).min(),
            series.iter().map(|(at, _)| *at).max(),
        ) else {
            return Vec::new();
        };
        let inner = self.width - 2.0 * self.margin;
        let span = (last - first) as f64;
        series
            .iter()
            .map(|(at, rating)| {
                let x = if span == 0.0 {
                    self.margin + inner / 2.0
                } else {
                    self.margin + inner * ((at - first) as f64 / span)
                };
                (x, self.y_of(*rating))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOX: ChartBox = ChartBox {
        width: 320.0,
        height: 160.0,
        margin: 20.0,
    };

    #[test]
    fn ratings_go_up_the_chart_and_time_goes_across() {
        assert_eq!(BOX.y_of(1), 140.0);
        assert_eq!(BOX.y_of(7), 20.0);
        assert_eq!(BOX.y_of(4), 80.0);
        let points = BOX.points(&[(1_000, 1), (3_000, 7), (2_000, 4)]);
        assert_eq!(points, vec![(20.0, 140.0), (300.0, 20.0), (160.0, 80.0)]);
    }

    #[test]
    fn one_check_in_sits_in_the_middle_and_none_draws_nothing() {
        assert_eq!(BOX.points(&[(5, 3)]), vec![(160.0, BOX.y_of(3))]);
        assert!(BOX.points(&[]).is_empty());
    }
}
