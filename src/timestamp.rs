//! Points in time and RFC 3339 as Go's `time.Parse` reads it (local-source expiry dates, OCI
//! `org.opencontainers.image.created` annotations).

use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time: seconds since the Unix epoch (negative before it) and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// A timestamp from seconds and nanoseconds since the epoch.
    pub(crate) fn new(secs: i64, nanos: u32) -> Self {
        Self { secs, nanos }
    }

    /// The timestamp of a `SystemTime`.
    pub(crate) fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Self::new(
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            ),
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    Self::new(-secs, 0)
                } else {
                    Self::new(-secs - 1, 1_000_000_000 - d.subsec_nanos())
                }
            }
        }
    }

    /// The current time.
    pub(crate) fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// RFC 3339 in UTC with seconds (`2026-11-22T03:45:12Z`), as OCI annotations write it.
    pub(crate) fn to_rfc3339(self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }

    /// RFC 3339 in UTC with nanoseconds, always nine digits (`2026-11-22T03:45:12.048213907Z`):
    /// what `attach` writes as `org.opencontainers.image.created`, so that two attaches in one
    /// second do not tie. Go's `time.Parse(time.RFC3339, ...)` (NFD, oras) reads the fraction;
    /// the fixed width keeps the text in time order too.
    pub(crate) fn to_rfc3339_nanos(self) -> String {
        let seconds = self.to_rfc3339();
        let whole = seconds.strip_suffix('Z').unwrap_or(&seconds);
        format!("{whole}.{:09}Z", self.nanos)
    }

    /// Parses Go's `time.RFC3339` layout as `time.Parse` accepts it (its strict fast path or
    /// its general parser): `YYYY-MM-DDTHH:MM:SS[.frac]Z` or `...±hh:mm`, with `T` and `Z`
    /// upper-case, a valid calendar date, hours below 24 (one digit allowed: the layout's `15`
    /// is not zero-padded), minutes and seconds below 60, one or more fraction digits after
    /// `.` or `,` (digits beyond nanoseconds dropped), and a zone offset of at most 24:60 (Go's
    /// general parser accepts those on purpose).
    pub(crate) fn parse_rfc3339(s: &str) -> Option<Self> {
        let mut cursor = s.as_bytes();
        let year = digits(cursor.get(..4)?)?;
        cursor = &cursor[4..];
        let month = literal(&mut cursor, b'-').and_then(|()| two(&mut cursor))?;
        let day = literal(&mut cursor, b'-').and_then(|()| two(&mut cursor))?;
        literal(&mut cursor, b'T')?;
        let hour_len = if cursor.get(1).is_some_and(u8::is_ascii_digit) {
            2
        } else {
            1
        };
        let hour = digits(cursor.get(..hour_len)?)?;
        cursor = &cursor[hour_len..];
        let minute = literal(&mut cursor, b':').and_then(|()| two(&mut cursor))?;
        let second = literal(&mut cursor, b':').and_then(|()| two(&mut cursor))?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut nanos = 0u32;
        if let [b'.' | b',', frac @ ..] = cursor {
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            let mut scale = 100_000_000;
            for &d in &frac[..n.min(9)] {
                nanos += u32::from(d - b'0') * scale;
                scale /= 10;
            }
            cursor = &frac[n..];
        }
        let offset = match cursor {
            [b'Z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let oh = digits(&[*h1, *h2])?;
                let om = digits(&[*m1, *m2])?;
                if oh > 24 || om > 60 {
                    return None;
                }
                let off = oh * 3600 + om * 60;
                if *sign == b'-' { -off } else { off }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
        Some(Self::new(secs, nanos))
    }
}

impl Timestamp {
    /// An HTTP date (RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`, or the obsolete
    /// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994` forms.
    pub(crate) fn parse_http_date(s: &str) -> Option<Self> {
        let month_of = |m: &str| {
            [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ]
            .iter()
            .position(|n| m.eq_ignore_ascii_case(n))
            .and_then(|i| i64::try_from(i + 1).ok())
        };
        let parts: Vec<&str> = s.split_whitespace().collect();
        let (day, month, year, time) = match parts.as_slice() {
            // IMF-fixdate, and asctime.
            [_, day, month, year, time, "GMT"] | [_, month, day, time, year] => (
                digits(day.as_bytes())?,
                month_of(month)?,
                digits(year.as_bytes())?,
                *time,
            ),
            // RFC 850: two-digit years are 19xx/20xx as RFC 9110 says (within 50 years).
            [_, date, time, "GMT"] => {
                let mut it = date.split('-');
                let day = digits(it.next()?.as_bytes())?;
                let month = month_of(it.next()?)?;
                let yy = digits(it.next()?.as_bytes())?;
                (
                    day,
                    month,
                    if yy < 70 { 2000 + yy } else { 1900 + yy },
                    *time,
                )
            }
            _ => return None,
        };
        let mut cursor = time.as_bytes();
        let hour = two(&mut cursor)?;
        literal(&mut cursor, b':')?;
        let minute = two(&mut cursor)?;
        literal(&mut cursor, b':')?;
        let second = two(&mut cursor)?;
        if !cursor.is_empty()
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Self::new(
            days * 86_400 + hour * 3600 + minute * 60 + second,
            0,
        ))
    }

    /// Seconds from `self` until `later` (zero when `later` is not later).
    pub(crate) fn secs_until(self, later: Self) -> u64 {
        u64::try_from(later.secs.saturating_sub(self.secs)).unwrap_or(0)
    }
}

/// Consumes the byte `b` from the front of `cursor`.
fn literal(cursor: &mut &[u8], b: u8) -> Option<()> {
    let (&first, rest) = cursor.split_first()?;
    (first == b).then(|| *cursor = rest)
}

/// Consumes two digits from the front of `cursor`.
fn two(cursor: &mut &[u8]) -> Option<i64> {
    let value = digits(cursor.get(..2)?)?;
    *cursor = &cursor[2..];
    Some(value)
}

/// The value of a run of ASCII digits.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_in_all_three_forms() {
        let want = Timestamp::parse_rfc3339("1994-11-06T08:49:37Z").unwrap();
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(Timestamp::parse_http_date(s), Some(want), "{s}");
        }
        for bad in [
            "",
            "120",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 06 Nov 1994 25:49:37 GMT",
        ] {
            assert_eq!(Timestamp::parse_http_date(bad), None, "{bad}");
        }
        assert_eq!(want.secs_until(Timestamp::new(want.secs + 5, 0)), 5);
        assert_eq!(Timestamp::new(want.secs + 5, 0).secs_until(want), 0);
    }

    #[test]
    fn formats_nanoseconds_that_parse_back_in_order() {
        let a = Timestamp::new(1_795_000_000, 48_213_907);
        let b = Timestamp::new(1_795_000_000, 48_213_908);
        let c = Timestamp::new(1_795_000_001, 0);
        assert_eq!(a.to_rfc3339_nanos(), "2026-11-18T11:06:40.048213907Z");
        assert_eq!(c.to_rfc3339_nanos(), "2026-11-18T11:06:41.000000000Z");
        for t in [a, b, c] {
            assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339_nanos()), Some(t));
        }
        assert!(a.to_rfc3339_nanos() < b.to_rfc3339_nanos());
        assert!(b.to_rfc3339_nanos() < c.to_rfc3339_nanos());
    }

    #[test]
    fn formats_rfc3339_and_round_trips() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T12:34:56Z",
            "2026-11-22T03:45:12Z",
            "1969-12-31T23:59:59Z",
            "2100-03-01T00:00:00Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(s).unwrap().to_rfc3339(), s);
        }
        assert!(Timestamp::parse_rfc3339(&Timestamp::now().to_rfc3339()).is_some());
    }

    #[test]
    fn rfc3339_table() {
        let cases: &[(&str, Option<(i64, u32)>)] = &[
            ("1970-01-01T00:00:00Z", Some((0, 0))),
            ("2026-01-01T00:00:00Z", Some((1_767_225_600, 0))),
            ("2080-07-28T11:22:33Z", Some((3_489_391_353, 0))),
            ("2000-02-29T12:00:00Z", Some((951_825_600, 0))),
            ("1969-12-31T23:59:59Z", Some((-1, 0))),
            ("1970-01-01T01:00:00+01:00", Some((0, 0))),
            ("1969-12-31T19:30:00-04:30", Some((0, 0))),
            ("2026-01-01T00:00:00.5Z", Some((1_767_225_600, 500_000_000))),
            (
                "2026-01-01T00:00:00,123456789123Z",
                Some((1_767_225_600, 123_456_789)),
            ),
            (
                "2026-01-01T00:00:00.000000001+00:00",
                Some((1_767_225_600, 1)),
            ),
            ("2080-07-28T11:22:33X", None),
            ("2080-07-28t11:22:33Z", None),
            ("2080-07-28T11:22:33z", None),
            ("2080-07-28 11:22:33Z", None),
            ("2080-07-28T11:22:33", None),
            ("2080-07-28T11:22:33.Z", None),
            ("2080-07-28T24:00:00Z", None),
            ("2080-07-28T11:60:00Z", None),
            ("2080-07-28T11:22:60Z", None),
            ("2001-02-29T00:00:00Z", None),
            ("2080-13-01T00:00:00Z", None),
            ("2080-00-01T00:00:00Z", None),
            ("2080-07-28T11:22:33+0100", None),
            (
                "2080-07-28T11:22:33+24:00",
                Some((3_489_391_353 - 86_400, 0)),
            ),
            ("2080-07-28T11:22:33-00:60", Some((3_489_391_353 + 3600, 0))),
            ("2080-07-28T11:22:33+25:00", None),
            ("2080-07-28T11:22:33+00:61", None),
            ("2080-07-28T1:22:33Z", Some((3_489_391_353 - 36_000, 0))),
            ("2080-07-28T:22:33Z", None),
            ("2080-07-28T11:2:33Z", None),
            ("2080-07-28T11:22:3Z", None),
            ("2080-07-2T11:22:33Z", None),
            ("2080-7-28T11:22:33Z", None),
            ("+080-07-28T11:22:33Z", None),
            ("2080-07-28T11:22:33Zjunk", None),
        ];
        for (input, want) in cases {
            let got = Timestamp::parse_rfc3339(input).map(|t| (t.secs, t.nanos));
            assert_eq!(got, *want, "{input}");
        }
    }

    #[test]
    fn system_time_round_trip() {
        use std::time::Duration;
        let after = UNIX_EPOCH + Duration::new(5, 7);
        assert_eq!(Timestamp::from_system_time(after), Timestamp::new(5, 7));
        let before = UNIX_EPOCH - Duration::new(1, 500_000_000);
        assert_eq!(
            Timestamp::from_system_time(before),
            Timestamp::new(-2, 500_000_000)
        );
    }
}
