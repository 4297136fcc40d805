//! Shannon entropy of a candidate secret, in bits per byte.

/// Returns the Shannon entropy of `bytes` in bits per byte (0.0 for empty input).
pub fn shannon(bytes: &[u8]) -> f32 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let len = bytes.len() as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::shannon;

    #[test]
    fn entropy_table() {
        let cases: &[(&[u8], f32)] = &[
            (b"", 0.0),
            (b"aaaa", 0.0),
            (b"ab", 1.0),
            (b"abcd", 2.0),
            (b"0123456789abcdef", 4.0),
        ];
        for (input, want) in cases {
            let got = shannon(input);
            assert!((got - want).abs() < 1e-4, "{input:?}: {got} != {want}");
        }
    }
}
