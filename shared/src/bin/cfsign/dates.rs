//! Dates as the AWS CLI reads them for `cloudfront sign`.

use cfsign::Epoch;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

pub fn parse(text: &str) -> Result<Epoch, String> {
    let seconds = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().map_err(|_| format!("{text:?} is too large for epoch seconds"))?
    } else {
        parse_calendar(text)?
    };
    Epoch::from_secs(seconds).map_err(|e| e.to_string())
}

fn parse_calendar(text: &str) -> Result<u64, String> {
    let utc = if let Ok(date) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        date.midnight().assume_utc()
    } else if let Ok(local) =
        PrimitiveDateTime::parse(text, format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"))
    {
        local.assume_utc()
    } else if let Ok(zoned) = OffsetDateTime::parse(text, &Rfc3339) {
        zoned
    } else {
        return Err(format!(
            "{text:?} is not a date: use YYYY-MM-DD, YYYY-MM-DDThh:mm:ss (UTC), the same with +hh:mm or -hh:mm, or epoch seconds"
        ));
    };
    u64::try_from(utc.unix_timestamp()).map_err(|_| format!("{text:?} is before 1970"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_the_aws_cli_forms() {
        for (text, seconds) in [
            ("2026-01-01", 1_767_225_600),
            ("2026-01-01T00:00:00", 1_767_225_600),
            ("2026-01-01T02:00:00+02:00", 1_767_225_600),
            ("2025-12-31T19:00:00-05:00", 1_767_225_600),
            ("2026-01-01T00:00:00Z", 1_767_225_600),
            ("1767225600", 1_767_225_600),
        ] {
            assert_eq!(parse(text).unwrap().as_secs(), seconds, "{text}");
        }
    }

    #[test]
    fn refuses_other_forms_and_out_of_range_values() {
        for text in ["", "tomorrow", "2026-13-01", "01/01/2026", "1767225600000", "2040-01-01", "1969-12-31", "-5"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
