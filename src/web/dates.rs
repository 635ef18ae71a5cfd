//! Dates the pages show and filter by: epoch milliseconds and `YYYY-MM-DD` days, in UTC.

/// `YYYY-MM-DD HH:MM UTC` for epoch milliseconds; empty for 0 (unknown).
pub fn datetime(millis: i64) -> String {
    if millis <= 0 {
        return String::new();
    }
    let secs = millis.div_euclid(1000);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let rest = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// Today's date as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days from `from` to `to`, both `YYYY-MM-DD`.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    Some(day_number(to)? - day_number(from)?)
}

/// Epoch milliseconds at the start (UTC) of a `YYYY-MM-DD` day.
pub fn day_start_millis(date: &str) -> Option<i64> {
    Some(day_number(date)? * 86_400_000)
}

fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Howard Hinnant's civil_from_days: (year, month, day) of a day number since 1970-01-01.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(datetime(0), "");
        assert_eq!(datetime(1_700_000_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(days_between("2026-12-31", "2027-03-31"), Some(90));
        assert_eq!(days_between("2024-02-28", "2024-03-01"), Some(2));
        assert_eq!(today().len(), 10);
        assert_eq!(day_start_millis("2023-11-14"), Some(1_699_920_000_000));
        assert_eq!(day_start_millis("soon"), None);
    }
}
