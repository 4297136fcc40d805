//! Time as the state records it: UTC timestamps, durations written like `30m` or `1h30m`.

use jiff::{SignedDuration, Timestamp};

/// Parses a duration such as `90s`, `10m`, `1h30m` or `2d`; a bare number means minutes.
pub fn parse_duration(text: &str) -> Result<SignedDuration, String> {
    let text = text.trim();
    let bad = || format!("'{text}' is not a duration; write it like 90s, 10m, 1h30m or 2d");
    if text.is_empty() {
        return Err(bad());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let minutes: i64 = text.parse().map_err(|_| bad())?;
        return Ok(SignedDuration::from_mins(minutes));
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: i64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() || total <= 0 {
        return Err(bad());
    }
    Ok(SignedDuration::from_secs(total))
}

/// Formats a duration compactly, e.g. `29m`, `1h5m`, `3d`.
pub fn format_duration(d: SignedDuration) -> String {
    let mut secs = d.as_secs().abs();
    if secs < 60 {
        return format!("{secs}s");
    }
    let mut out = String::new();
    for (unit, name) in [(86_400, "d"), (3600, "h"), (60, "m")] {
        if secs >= unit {
            out.push_str(&format!("{}{name}", secs / unit));
            secs %= unit;
        }
    }
    out
}

/// Says how long ago `then` was, relative to `now`, e.g. `5m ago`.
pub fn ago(then: Timestamp, now: Timestamp) -> String {
    let d = now.duration_since(then);
    if d.as_secs() < 1 {
        return "just now".to_owned();
    }
    format!("{} ago", format_duration(d))
}

/// A moment as messages show it: the UTC time and how long ago it was, e.g.
/// `2026-03-01 12:00:00Z (5m ago)`.
pub fn since(then: Timestamp, now: Timestamp) -> String {
    format!(
        "{} ({})",
        then.strftime("%Y-%m-%d %H:%M:%SZ"),
        ago(then, now)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_format() {
        let table = [
            ("90s", 90),
            ("10m", 600),
            ("1h30m", 5400),
            ("2d", 172_800),
            ("45", 2700),
            ("1w", 604_800),
        ];
        for (text, secs) in table {
            assert_eq!(
                parse_duration(text).map(|d| d.as_secs()),
                Ok(secs),
                "{text}"
            );
        }
        for bad in ["", "m", "10x", "1h30", "0m", "-5m", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(format_duration(SignedDuration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(SignedDuration::from_secs(42)), "42s");
    }
}
