//! Dates as the AWS CLI reads them for `cloudfront sign`: what the probes of
//! the AWS CLI recorded in tests/fixtures/peer-vectors.json show it accepting.

use cfsign::Epoch;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime, Time, UtcOffset};

const FORMS: &str = "use YYYY-MM-DD, YYYY-MM-DDThh:mm:ss (UTC; a space may replace the T, fractional seconds are dropped), the same with Z, +hh:mm or -hh:mm, or epoch seconds";

pub fn parse(text: &str) -> Result<Epoch, String> {
    let seconds = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().map_err(|_| format!("{text:?} is too large for epoch seconds"))?
    } else {
        parse_calendar(text).ok_or_else(|| format!("{text:?} is not a date: {FORMS}"))??
    };
    Epoch::from_secs(seconds).map_err(|e| e.to_string())
}

/// None when `text` is not a calendar date at all; an error when it is one
/// that cannot be expressed in epoch seconds.
fn parse_calendar(text: &str) -> Option<Result<u64, String>> {
    let at = if let Ok(date) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        date.midnight().assume_utc()
    } else {
        let (date, rest) = (text.get(..10)?, text.get(10..)?);
        let date = Date::parse(date, format_description!("[year]-[month]-[day]")).ok()?;
        let rest = rest.strip_prefix(['T', ' '])?;
        let (clock, zone) = rest.split_at(rest.find(['Z', '+', '-']).unwrap_or(rest.len()));
        // The AWS CLI drops a fraction of a second (2026-01-01T00:00:00.600Z is 1767225600).
        let clock = match clock.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit()) => whole,
            Some(_) => return None,
            None => clock,
        };
        let time = Time::parse(clock, format_description!("[hour]:[minute]:[second]")).ok()?;
        let offset = match zone {
            "" | "Z" => UtcOffset::UTC,
            _ => UtcOffset::parse(zone, format_description!("[offset_hour sign:mandatory]:[offset_minute]")).ok()?,
        };
        PrimitiveDateTime::new(date, time).assume_offset(offset)
    };
    Some(u64::try_from(at.unix_timestamp()).map_err(|_| format!("{text:?} is before 1970")))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_the_aws_cli_forms() {
        for (text, seconds) in [
            ("2026-01-01", 1_767_225_600),
            ("2026-01-01T00:00:00", 1_767_225_600),
            ("2026-01-01 00:00:00", 1_767_225_600),
            ("2026-01-01T00:00:00.600Z", 1_767_225_600),
            ("2026-01-01T02:00:00.999+02:00", 1_767_225_600),
            ("2026-01-01T02:00:00+02:00", 1_767_225_600),
            ("2025-12-31T19:00:00-05:00", 1_767_225_600),
            ("2026-01-01T00:00:00Z", 1_767_225_600),
            ("1767225600", 1_767_225_600),
        ] {
            assert_eq!(parse(text).unwrap().as_secs(), seconds, "{text}");
        }
    }

    /// Every date the AWS CLI was probed with reads the same here: the same
    /// epoch second where it signed, a refusal where it refused.
    #[test]
    fn agrees_with_the_recorded_aws_cli_probes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/peer-vectors.json");
        let file: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let probes: Vec<_> = file["date_probes"].as_array().unwrap().iter().filter(|p| p["peer"] == "awscli").collect();
        assert!(probes.len() >= 8, "only {} AWS CLI date probes", probes.len());
        for probe in probes {
            let input = probe["input"].as_str().unwrap();
            match probe["expires"].as_u64() {
                Some(expires) => assert_eq!(parse(input).map(|e| e.as_secs()), Ok(expires), "{input}"),
                // The one refusal the probes hold: milliseconds, too large for epoch seconds.
                None => assert!(parse(input).unwrap_err().contains("milliseconds"), "{input}"),
            }
        }
    }

    #[test]
    fn refuses_other_forms_and_out_of_range_values() {
        for text in [
            "",
            "tomorrow",
            "2026-13-01",
            "01/01/2026",
            "1767225600000",
            "2040-01-01",
            "1969-12-31",
            "-5",
            "2026-01-01T00:00:00.",
            "2026-01-01T00:00:00.5x",
            "2026-01-01X00:00:00",
            "2026-01-01T00:00:00+2",
            "2026-01-01T25:00:00",
        ] {
            let refused = parse(text).unwrap_err();
            let why = match text {
                "1767225600000" | "2040-01-01" => "is past 2147483647",
                "1969-12-31" => "is before 1970",
                _ => "is not a date: use YYYY-MM-DD",
            };
            assert!(refused.contains(why), "{text}: {refused}");
        }
    }
}
