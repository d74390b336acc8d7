//! The radii of a bounds-versus-radius sweep.

use crate::error::{Error, Field, Result};

/// Parses `A:B:N` into N radii evenly spaced from A to B inclusive, r_k = A + k (B − A)/(N − 1)
/// (N = 1 gives `[A]`); also accepts a comma-separated list `r1,r2,...`. Every radius must be finite
/// and > 0 and, for `A:B:N`, A ≤ B and 1 ≤ N ≤ 10,000.
pub fn parse_radii(text: &str) -> Result<Vec<f64>> {
    let bad = |why: &str| {
        Error::invalid_value(
            Field::Radii,
            format!("'{text}' ({why})"),
            "A:B:N (N radii from A to B, 0 < A ≤ B) or r1,r2,...",
        )
    };
    let num = |s: &str| -> Result<f64> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| bad(&format!("'{}' is not a number", s.trim())))?;
        if !(v.is_finite() && v > 0.0) {
            return Err(bad(&format!("radius {v} is not a finite number > 0")));
        }
        Ok(v)
    };
    let parts: Vec<&str> = text.split(':').collect();
    match parts.len() {
        1 => text.split(',').map(num).collect(),
        3 => {
            let (a, b) = (num(parts[0])?, num(parts[1])?);
            let n: usize = parts[2]
                .trim()
                .parse()
                .map_err(|_| bad(&format!("N = '{}' is not a whole number", parts[2].trim())))?;
            if n == 0 || n > 10_000 {
                return Err(bad(&format!("N = {n} is outside 1..=10000")));
            }
            if a > b {
                return Err(bad(&format!("A = {a} > B = {b}")));
            }
            if n == 1 {
                return Ok(vec![a]);
            }
            Ok((0..n)
                .map(|k| {
                    if k + 1 == n {
                        b
                    } else {
                        a + k as f64 * (b - a) / (n - 1) as f64
                    }
                })
                .collect())
        }
        _ => Err(bad("wrong number of ':'")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_radii;

    #[test]
    fn sweep_and_list() {
        assert_eq!(parse_radii("0.1:0.5:5").unwrap().len(), 5);
        let r = parse_radii("0.1:0.5:5").unwrap();
        assert!((r[1] - 0.2).abs() < 1e-15 && r[4] == 0.5 && r[0] == 0.1);
        assert_eq!(parse_radii("0.3:0.3:1").unwrap(), vec![0.3]);
        assert_eq!(parse_radii("0.5,1,2").unwrap(), vec![0.5, 1.0, 2.0]);
    }
}
