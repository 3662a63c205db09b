//! The expanding notation of scenario series: `20x143 300x12 1+2x10 _x5`.
//!
//! Each token stands for one or more values, one per step:
//!
//! | token | values |
//! |---|---|
//! | `20` | one value, 20 |
//! | `20x143` | 143 values of 20 (unlike promtool, where `a x N` is N + 1 values) |
//! | `1+2x4` | a ramp of 4 values: 1, 3, 5, 7 |
//! | `10-3x3` | 10, 7, 4 |
//! | `_` or `_x5` | no data for 1 or 5 steps |
#![expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets within one series string of a scenario file"
)]

use crate::diagnostic::Code;

/// A series value: a number, or no data at that step.
pub(crate) type Point = Option<f64>;

/// A series token that could not be read, at a byte offset of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SeriesError {
    /// `Limit` past the cap, `InvalidValue` otherwise.
    pub code: Code,
    pub message: String,
    pub offset: usize,
}

/// The most points the series of one scenario file may expand to, all series and scenarios
/// together: a year of 5-second steps. A cap per series alone let many series (or many
/// scenarios inheriting one) multiply it.
pub(crate) const MAX_POINTS: usize = 6_400_000;

/// Expands a series when `before` points of its file are already expanded, refusing to take
/// the file past `MAX_POINTS`.
pub(crate) fn expand(text: &str, before: usize) -> Result<Vec<Point>, SeriesError> {
    let mut points = Vec::new();
    let mut offset = 0;
    for token in text.split(' ') {
        if !token.is_empty() {
            expand_token(token, offset, before, &mut points)?;
        }
        offset += token.len() + 1;
    }
    Ok(points)
}

fn number(text: &str, offset: usize) -> Result<f64, SeriesError> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(SeriesError {
            code: Code::InvalidValue,
            message: format!("`{text}` is not a number"),
            offset,
        }),
    }
}

fn expand_token(
    token: &str,
    offset: usize,
    before: usize,
    points: &mut Vec<Point>,
) -> Result<(), SeriesError> {
    let (value, count) = match token.rsplit_once('x') {
        Some((value, count)) => {
            let count_offset = offset + value.len() + 1;
            let count: usize = count.parse().map_err(|_| SeriesError {
                code: Code::InvalidValue,
                message: format!("`{count}` is not a whole number of steps"),
                offset: count_offset,
            })?;
            (value, count)
        }
        None => (token, 1),
    };
    if before.saturating_add(points.len()).saturating_add(count) > MAX_POINTS {
        return Err(SeriesError {
            code: Code::Limit,
            message: format!(
                "the series of this scenario file expand to more than {MAX_POINTS} values in \
                 all (the cap of a scenario file): use a longer `step`, or split the scenarios \
                 into several files"
            ),
            offset,
        });
    }
    if value == "_" {
        points.extend(std::iter::repeat_n(None, count));
        return Ok(());
    }
    // A ramp `a+b` or `a-b`; a leading minus belongs to `a`.
    let split = value
        .char_indices()
        .skip(1)
        .find(|(i, c)| (*c == '+' || *c == '-') && !value[..*i].ends_with(['e', 'E']));
    match split {
        Some((i, sign)) => {
            let start = number(&value[..i], offset)?;
            let step = number(&value[i + 1..], offset + i + 1)?;
            let step = if sign == '-' { -step } else { step };
            points.extend((0..count).map(|k| Some(start + step * k as f64)));
        }
        None => {
            let value = number(value, offset)?;
            points.extend(std::iter::repeat_n(Some(value), count));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_repeats_ramps_and_gaps() {
        assert_eq!(
            expand("20x3 1+2x4 10-3x3 _ 5 _x2 -1", 0).unwrap(),
            [
                Some(20.0),
                Some(20.0),
                Some(20.0),
                Some(1.0),
                Some(3.0),
                Some(5.0),
                Some(7.0),
                Some(10.0),
                Some(7.0),
                Some(4.0),
                None,
                Some(5.0),
                None,
                None,
                Some(-1.0),
            ]
        );
        assert_eq!(expand("1e3x2", 0).unwrap(), [Some(1000.0), Some(1000.0)]);
        assert!(expand("  ", 0).unwrap().is_empty());
    }

    #[test]
    fn bad_tokens_point_at_their_offset() {
        let cases = [
            ("20x3 abc", 5, "`abc` is not a number"),
            ("20xq", 3, "`q` is not a whole number of steps"),
            ("1+zx4", 2, "`z` is not a number"),
            ("nanx2", 0, "`nan` is not a number"),
        ];
        for (text, offset, message) in cases {
            let err = expand(text, 0).unwrap_err();
            assert_eq!(
                (err.offset, err.message.as_str()),
                (offset, message),
                "{text}"
            );
        }
    }

    #[test]
    fn the_cap_counts_the_points_before_the_series() {
        let cap = "the series of this scenario file expand to more than 6400000 values in all \
                   (the cap of a scenario file): use a longer `step`, or split the scenarios \
                   into several files";
        let err = expand("1x99999999999", 0).unwrap_err();
        assert_eq!((err.offset, err.message.as_str()), (0, cap));
        assert_eq!(expand("1x10 2x10", MAX_POINTS - 20).unwrap().len(), 20);
        let err = expand("1x10 2x11", MAX_POINTS - 20).unwrap_err();
        assert_eq!((err.offset, err.message.as_str()), (5, cap));
    }
}
