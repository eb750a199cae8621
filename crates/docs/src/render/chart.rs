//! Horizontal bar charts drawn as inline SVG by the report template: the geometry is worked out
//! here, the template only places it. No script and nothing fetched, so a printed or archived
//! report shows the same chart.

/// Width of the drawing in SVG units; the SVG scales to the page.
const WIDTH: u32 = 600;
/// Room for the labels, left of the bars.
const LABEL_WIDTH: u32 = 130;
/// Room for the value, right of the longest bar.
const VALUE_WIDTH: u32 = 50;
const ROW_HEIGHT: u32 = 22;
const BAR_HEIGHT: u32 = 14;

/// A bar chart ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BarChart {
    /// SVG width.
    pub width: u32,
    /// SVG height.
    pub height: u32,
    /// Where the bars start (labels end just left of it).
    pub origin: u32,
    /// One row per value.
    pub bars: Vec<Bar>,
}

/// One bar with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bar {
    /// What it counts.
    pub label: String,
    /// The count.
    pub value: i64,
    /// Top of the bar.
    pub y: u32,
    /// Its length.
    pub length: u32,
    /// Baseline of the label and value.
    pub text_y: u32,
    /// Where the value is written.
    pub value_x: u32,
}

impl BarChart {
    /// Bars for `values` in the order given, scaled to the largest.
    pub(crate) fn new(values: impl IntoIterator<Item = (String, i64)>) -> BarChart {
        let values: Vec<(String, i64)> = values.into_iter().collect();
        let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1);
        let span = u64::from(WIDTH - LABEL_WIDTH - VALUE_WIDTH);
        let bars = values
            .into_iter()
            .zip(0u32..)
            .map(|((label, value), row)| {
                let clamped = u64::try_from(value).unwrap_or(0);
                let length = u32::try_from(clamped * span / max.unsigned_abs()).unwrap_or(0);
                let y = row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2;
                Bar {
                    label,
                    value,
                    y,
                    length,
                    text_y: y + BAR_HEIGHT - 2,
                    value_x: LABEL_WIDTH + length + 6,
                }
            })
            .collect::<Vec<_>>();
        BarChart {
            width: WIDTH,
            height: ROW_HEIGHT * u32::try_from(bars.len()).unwrap_or(0).max(1),
            origin: LABEL_WIDTH,
            bars,
        }
    }

    /// Nothing to draw.
    pub(crate) fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let chart = BarChart::new([("邻里".to_owned(), 10), ("合同".to_owned(), 5)]);
        assert_eq!(chart.bars[0].length, WIDTH - LABEL_WIDTH - VALUE_WIDTH);
        assert_eq!(chart.bars[1].length, chart.bars[0].length / 2);
        assert!(chart.bars[1].y > chart.bars[0].y);
        assert_eq!(chart.height, 2 * ROW_HEIGHT);
    }

    #[test]
    fn zeros_and_no_values_draw_nothing_wrong() {
        let chart = BarChart::new([("其他".to_owned(), 0)]);
        assert_eq!(chart.bars[0].length, 0);
        assert!(BarChart::new(Vec::new()).is_empty());
    }
}
