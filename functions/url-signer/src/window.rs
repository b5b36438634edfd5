//! Expiry rounding (`EXPIRY_WINDOW_SECONDS`): a signed URL whose expiry moves
//! every second is a new URL on every page view, so neither the browser's
//! cache nor the edge's ever serves it twice. Rounded to a window, every
//! request for the same object inside that window signs the same policy and
//! gets the same URL (or cookies).

use std::time::Duration;

use cfsign::{Conditions, Epoch};

/// `conditions` with the expiry rounded up, and any start rounded down, to a
/// multiple of `window` on the epoch; unchanged when the rounded expiry would
/// pass `latest` (now + MAX_LIFETIME_SECONDS). The maximum lifetime wins over
/// stability: that one request keeps the expiry it asked for, which is
/// already within the maximum.
///
/// So a signature is never valid for less than asked, never more than one
/// window longer, and never past the maximum lifetime.
pub(crate) fn round(conditions: Conditions, window: Duration, latest: Epoch) -> Conditions {
    match conditions.clone().rounded_to(window) {
        Ok(rounded) if rounded.expires() <= latest => rounded,
        _ => conditions,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(seconds: u64) -> Epoch {
        Epoch::from_secs(seconds).unwrap()
    }

    const FIVE_MINUTES: Duration = Duration::from_secs(300);
    /// A multiple of 300.
    const BOUNDARY: u64 = 1_767_225_600;

    #[test]
    fn an_expiry_rounds_up_to_the_next_boundary_and_a_boundary_stays() {
        let latest = at(BOUNDARY + 3600);
        for asked in [BOUNDARY - 299, BOUNDARY - 1, BOUNDARY] {
            assert_eq!(round(Conditions::expires_at(at(asked)), FIVE_MINUTES, latest).expires(), at(BOUNDARY));
        }
        assert_eq!(round(Conditions::expires_at(at(BOUNDARY + 1)), FIVE_MINUTES, latest).expires(), at(BOUNDARY + 300));
    }

    #[test]
    fn a_start_rounds_down_with_the_expiry() {
        let conditions = Conditions::expires_at(at(BOUNDARY - 10)).not_before(at(BOUNDARY - 299));
        let rounded = round(conditions, FIVE_MINUTES, at(BOUNDARY + 3600));
        assert_eq!((rounded.starts(), rounded.expires()), (Some(at(BOUNDARY - 300)), at(BOUNDARY)));
    }

    #[test]
    fn rounding_that_would_pass_the_maximum_lifetime_is_not_done() {
        // Asked for the whole maximum (600 s) at BOUNDARY - 100: rounding up would give 700 s.
        let now = BOUNDARY - 100;
        let conditions = Conditions::expires_at(at(now + 600)).not_before(at(now - 10));
        let kept = round(conditions.clone(), FIVE_MINUTES, at(now + 600));
        assert_eq!(kept, conditions);
        // One second more of maximum and still not enough; at the boundary itself it fits.
        assert_eq!(round(conditions.clone(), FIVE_MINUTES, at(now + 699)), conditions);
        assert_eq!(round(conditions, FIVE_MINUTES, at(now + 700)).expires(), at(BOUNDARY + 600));
    }

    #[test]
    fn a_window_of_zero_or_one_second_rounds_nothing() {
        let conditions = Conditions::expires_at(at(BOUNDARY + 7)).not_before(at(BOUNDARY + 3));
        for window in [Duration::ZERO, Duration::from_secs(1)] {
            assert_eq!(round(conditions.clone(), window, at(BOUNDARY + 3600)), conditions);
        }
    }

    proptest! {
        #[test]
        fn the_rounding_rules_hold_for_any_time_lifetime_and_window(
            now in 1_000_000_000u64..2_100_000_000,
            max in 1u64..=604_800,
            lifetime_share in 0.0f64..=1.0,
            window_share in 0.0f64..=1.0,
            start_before in proptest::option::of(0u64..10_000),
            later in 0u64..604_800,
        ) {
            let lifetime = ((max as f64 * lifetime_share) as u64).clamp(1, max);
            let window = (max as f64 * window_share) as u64;
            let asked = now + lifetime;
            let latest = at(now + max);
            let conditions = |now: u64| {
                let conditions = Conditions::expires_at(at(now + lifetime));
                match start_before {
                    Some(before) => conditions.not_before(at(now - before)),
                    None => conditions,
                }
            };
            let rounded = round(conditions(now), Duration::from_secs(window), latest);
            let expires = rounded.expires().as_secs();

            prop_assert!(expires >= asked, "valid for less than asked");
            prop_assert!(expires <= asked + window, "valid for more than one window longer");
            prop_assert!(expires <= now + max, "valid past the maximum lifetime");
            let fits = window > 1 && asked.div_ceil(window) * window <= now + max;
            if fits {
                prop_assert_eq!(expires % window, 0, "not on a window boundary though it fits");
            } else {
                prop_assert_eq!(expires, asked, "changed though it does not fit");
            }
            if let Some(before) = start_before {
                let starts = rounded.starts().unwrap().as_secs();
                prop_assert!(starts <= now - before, "valid from later than asked");
                if fits {
                    prop_assert!(starts + window > now - before && starts.is_multiple_of(window));
                }
                prop_assert!(starts < expires);
            }

            // A second request later in the same window signs the same policy.
            let second = now + later % window.max(1);
            if fits && (second + lifetime).div_ceil(window) == asked.div_ceil(window) {
                let again = round(conditions(second), Duration::from_secs(window), at(second + max));
                prop_assert_eq!(again.expires(), rounded.expires());
                if start_before.is_some() && (second - start_before.unwrap()) / window == (now - start_before.unwrap()) / window {
                    prop_assert_eq!(again.starts(), rounded.starts());
                }
            }
        }
    }
}
