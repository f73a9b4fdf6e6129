//! Resource quantities (`250m`, `2`, `128Mi`, `1G`) in base units: CPU in millicores, memory in
//! bytes. A quantity that cannot be read counts as zero, as a missing one does.

/// Decimal and binary suffixes with their factors; binary ones first so `Mi` is not read as `M`.
const SUFFIXES: &[(&str, f64)] = &[
    ("Ki", 1024.0),
    ("Mi", 1_048_576.0),
    ("Gi", 1_073_741_824.0),
    ("Ti", 1_099_511_627_776.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
];

/// A CPU quantity in millicores (`"250m"` → 250, `"2"` → 2000, `"0.5"` → 500).
pub fn millicores(quantity: &str) -> u64 {
    match quantity.strip_suffix('m') {
        Some(milli) => milli.parse().unwrap_or(0),
        None => scaled(quantity).map_or(0, |cores| (cores * 1000.0) as u64),
    }
}

/// A memory quantity in bytes (`"128Mi"`, `"1G"`, `"512"`).
pub fn bytes(quantity: &str) -> u64 {
    scaled(quantity).map_or(0, |bytes| bytes as u64)
}

fn scaled(quantity: &str) -> Option<f64> {
    let quantity = quantity.trim();
    let (number, factor) = SUFFIXES
        .iter()
        .find_map(|(suffix, factor)| quantity.strip_suffix(suffix).map(|n| (n, *factor)))
        .unwrap_or((quantity, 1.0));
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_like_kubernetes() {
        assert_eq!(millicores("250m"), 250);
        assert_eq!(millicores("2"), 2000);
        assert_eq!(millicores("0.5"), 500);
        assert_eq!(millicores("1k"), 1_000_000);
        assert_eq!(bytes("128Mi"), 128 << 20);
        assert_eq!(bytes("16365604Ki"), 16_365_604 * 1024);
        assert_eq!(bytes("1G"), 1_000_000_000);
        assert_eq!(bytes("94580335255"), 94_580_335_255);
        assert_eq!(bytes("1Pi"), 1 << 50);
        assert_eq!(bytes("lots"), 0);
        assert_eq!(bytes("-1Gi"), 0);
        assert_eq!(bytes("inf"), 0, "not a quantity");
        assert_eq!(bytes("1e400Ki"), 0, "too large to be one");
        assert_eq!(millicores("NaN"), 0);
        assert_eq!(millicores(""), 0);
    }
}
