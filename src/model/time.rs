//! Time as the state records it: UTC timestamps, durations written like `30m` or `1h30m`.

use jiff::{SignedDuration, Timestamp};

/// The longest duration anything takes (a lock's lifetime, a deadline, a time limit): a
/// year and a day. Longer is a mistake for a shorter one, or for "forever", which nothing
/// in coordination should be.
pub const MAX_DURATION_SECS: i64 = 366 * 86_400;

/// Parses a duration such as `90s`, `10m`, `1h30m` or `2d`; a bare number means minutes.
/// Zero is refused (no lifetime or time limit means anything at zero), and so is one over
/// [`MAX_DURATION_SECS`], with checked arithmetic throughout.
pub fn parse_duration(text: &str) -> Result<SignedDuration, String> {
    let text = text.trim();
    let bad = || format!("'{text}' is not a duration; write it like 90s, 10m, 1h30m or 2d");
    let too_large = || {
        format!(
            "'{text}' is too long a duration: the longest is 366d; write a shorter one, such as 8h or 30d"
        )
    };
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    // A bare number is minutes: read it as if it ended in `m`.
    let bare = text.bytes().all(|b| b.is_ascii_digit());
    for ch in text.chars().chain(bare.then_some('m')) {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit: i64 = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        if number.is_empty() {
            return Err(bad());
        }
        // All digits, so the only way the parse fails is a number too large for i64.
        let n: i64 = number.parse().map_err(|_| too_large())?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(too_large)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(bad());
    }
    if total > MAX_DURATION_SECS {
        return Err(too_large());
    }
    if total == 0 {
        return Err(format!(
            "'{text}' is not a duration longer than zero; give a positive one, e.g. 10m"
        ));
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
            (" 45 ", 2700),
            ("1w", 604_800),
            ("0h5m", 300),
            ("366d", 366 * 86_400),
            ("527040", 366 * 86_400),
        ];
        for (text, secs) in table {
            assert_eq!(
                parse_duration(text).map(|d| d.as_secs()),
                Ok(secs),
                "{text}"
            );
        }
        assert_eq!(format_duration(SignedDuration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(SignedDuration::from_secs(42)), "42s");
    }

    #[test]
    fn bad_zero_and_overflowing_durations_are_refused_with_why() {
        let table = [
            ("", "is not a duration"),
            ("m", "is not a duration"),
            ("10x", "is not a duration"),
            ("1h30", "is not a duration"),
            ("-5m", "is not a duration"),
            ("h5m", "is not a duration"),
            ("0", "longer than zero"),
            ("0s", "longer than zero"),
            ("0m", "longer than zero"),
            ("0h0m", "longer than zero"),
            ("000", "longer than zero"),
            // Overflows in every unit, and in the bare number of minutes.
            ("999999999999999999", "too long"),
            ("153722867280912931", "too long"),
            ("99999999999999999999", "too long"),
            ("9223372036854775808s", "too long"),
            ("999999999999999999m", "too long"),
            ("9999999999999999h", "too long"),
            ("99999999999999999999d", "too long"),
            ("99999999999999w", "too long"),
            ("9223372036854775807s1s", "too long"),
            ("99999999d", "the longest is 366d"),
            ("367d", "the longest is 366d"),
            ("366d1s", "the longest is 366d"),
        ];
        for (text, why) in table {
            match parse_duration(text) {
                Err(message) => assert!(message.contains(why), "{text}: {message}"),
                Ok(d) => panic!("{text} should be refused, got {d:?}"),
            }
        }
        // A zero duration's message still reads as "not a duration", like any refused one.
        assert!(
            parse_duration("0m")
                .expect_err("zero")
                .starts_with("'0m' is not a duration")
        );
    }
}
