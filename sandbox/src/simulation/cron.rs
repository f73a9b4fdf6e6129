//! Cron schedules as CronJobs write them: five fields (minute, hour, day of month, month, day
//! of week) with `*`, lists, ranges, steps and names, or a shorthand such as `@hourly`.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A parsed schedule, in one time zone.
#[derive(Clone, Debug)]
pub struct Schedule {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    /// Day of month and day of week both restricted: either may match, as cron has it.
    either_day: bool,
    zone: TimeZone,
}

/// Why a schedule could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unparseable schedule {schedule:?}: {reason}")]
pub struct ScheduleError {
    schedule: String,
    reason: String,
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Schedule {
    /// Parses `text`, evaluated in the time zone `zone` (an IANA name; UTC when `None`).
    pub fn parse(text: &str, zone: Option<&str>) -> Result<Self, ScheduleError> {
        let error = |reason: String| ScheduleError {
            schedule: text.to_owned(),
            reason,
        };
        let zone = match zone {
            None | Some("") | Some("UTC") | Some("Etc/UTC") => TimeZone::UTC,
            Some(name) => {
                TimeZone::get(name).map_err(|e| error(format!("unknown time zone {name}: {e}")))?
            }
        };
        let expanded = match text.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(error(format!(
                "expected exactly 5 fields, found {}",
                fields.len()
            )));
        }
        let minutes = field(fields[0], 0, 59, &[]).map_err(&error)?;
        let hours = field(fields[1], 0, 23, &[]).map_err(&error)?;
        let days = field(fields[2], 1, 31, &[]).map_err(&error)?;
        let months = field(fields[3], 1, 12, MONTHS).map_err(&error)?;
        let mut weekdays = field(fields[4], 0, 7, WEEKDAYS).map_err(&error)?;
        // 7 is Sunday too.
        weekdays[0] |= weekdays[7];
        weekdays.truncate(7);
        let restricted = |f: &str| f != "*" && f != "?";
        Ok(Self {
            minutes,
            hours,
            days,
            months,
            weekdays,
            either_day: restricted(fields[2]) && restricted(fields[4]),
            zone,
        })
    }

    fn day_matches(&self, at: DateTime) -> bool {
        let day = self.days[at.day() as usize];
        let weekday = self.weekdays[at.weekday().to_sunday_zero_offset() as usize];
        if self.either_day {
            day || weekday
        } else {
            day && weekday
        }
    }

    /// The first scheduled time strictly after `after`, within about five years.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let start = after.to_zoned(self.zone.clone()).datetime();
        let mut at = start
            .with()
            .second(0)
            .subsec_nanosecond(0)
            .build()
            .ok()?
            .checked_add(1.minute())
            .ok()?;
        let limit = start.checked_add(5.years()).ok()?;
        while at < limit {
            if !self.months[at.month() as usize] {
                at = at
                    .first_of_month()
                    .checked_add(1.month())
                    .ok()?
                    .with()
                    .hour(0)
                    .minute(0)
                    .build()
                    .ok()?;
                continue;
            }
            if !self.day_matches(at) {
                at = at
                    .date()
                    .checked_add(1.day())
                    .ok()?
                    .to_datetime(jiff::civil::time(0, 0, 0, 0));
                continue;
            }
            if !self.hours[at.hour() as usize] {
                at = at
                    .with()
                    .minute(0)
                    .build()
                    .ok()?
                    .checked_add(1.hour())
                    .ok()?;
                continue;
            }
            if !self.minutes[at.minute() as usize] {
                at = at.checked_add(1.minute()).ok()?;
                continue;
            }
            return at.to_zoned(self.zone.clone()).ok().map(|z| z.timestamp());
        }
        None
    }

    /// The latest scheduled time in (`after`, `now`], if any.
    pub fn last_due(&self, after: Timestamp, now: Timestamp) -> Option<Timestamp> {
        // Look back over growing windows: the first that holds a due time holds the latest,
        // and a schedule missed many times over costs a few steps, not one per miss.
        const HOUR: i64 = 3_600;
        for window in [
            HOUR,
            24 * HOUR,
            32 * 24 * HOUR,
            367 * 24 * HOUR,
            5 * 367 * 24 * HOUR,
        ] {
            let start = (now - jiff::SignedDuration::from_secs(window)).max(after);
            let mut last = None;
            let mut cursor = start;
            while let Some(at) = self.next_after(cursor).filter(|at| *at <= now) {
                last = Some(at);
                cursor = at;
            }
            if last.is_some() || start == after {
                return last;
            }
        }
        None
    }
}

/// One field as a table of which values match, indexed by value.
fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Result<Vec<bool>, String> {
    let mut allowed = vec![false; max as usize + 1];
    let value = |part: &str| -> Result<u32, String> {
        let lower = part.to_ascii_lowercase();
        if let Some(index) = names.iter().position(|n| *n == lower) {
            return Ok(index as u32 + min);
        }
        let number: u32 = part
            .parse()
            .map_err(|_| format!("invalid value {part:?}"))?;
        if number < min || number > max {
            return Err(format!("value {number} out of range {min}-{max}"));
        }
        Ok(number)
    };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (
                range,
                step.parse::<u32>()
                    .map_err(|_| format!("invalid step {step:?}"))?,
            ),
            None => (part, 1),
        };
        if step == 0 {
            return Err("step must be positive".to_owned());
        }
        let (low, high) = match range {
            "*" | "?" => (min, max),
            _ => match range.split_once('-') {
                Some((low, high)) => (value(low)?, value(high)?),
                None if part.contains('/') => (value(range)?, max),
                None => {
                    let single = value(range)?;
                    (single, single)
                }
            },
        };
        if low > high {
            return Err(format!("range {low}-{high} is backwards"));
        }
        for index in (low..=high).step_by(step as usize) {
            allowed[index as usize] = true;
        }
    }
    Ok(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn next_times_follow_each_field() {
        let every_five = Schedule::parse("*/5 * * * *", None).unwrap();
        assert_eq!(
            every_five.next_after(at("2026-11-26T07:01:30Z")),
            Some(at("2026-11-26T07:05:00Z"))
        );
        let weekdays_at_nine = Schedule::parse("0 9 * * mon-fri", None).unwrap();
        // 2026-11-28 is a Saturday.
        assert_eq!(
            weekdays_at_nine.next_after(at("2026-11-27T10:00:00Z")),
            Some(at("2026-11-30T09:00:00Z"))
        );
        let yearly = Schedule::parse("@yearly", None).unwrap();
        assert_eq!(
            yearly.next_after(at("2026-11-26T00:00:00Z")),
            Some(at("2027-01-01T00:00:00Z"))
        );
        let either = Schedule::parse("0 0 1 * sun", None).unwrap();
        assert_eq!(
            either.next_after(at("2026-11-26T00:00:00Z")),
            Some(at("2026-11-29T00:00:00Z"))
        );
    }

    #[test]
    fn zones_shift_the_schedule() {
        let tokyo = Schedule::parse("0 9 * * *", Some("Asia/Tokyo")).unwrap();
        assert_eq!(
            tokyo.next_after(at("2026-11-26T00:30:00Z")),
            Some(at("2026-11-27T00:00:00Z"))
        );
    }

    #[test]
    fn missed_runs_fire_once_for_the_latest() {
        let hourly = Schedule::parse("@hourly", None).unwrap();
        assert_eq!(
            hourly.last_due(at("2026-11-26T01:00:00Z"), at("2026-11-26T05:30:00Z")),
            Some(at("2026-11-26T05:00:00Z"))
        );
        assert_eq!(
            hourly.last_due(at("2026-11-26T05:00:00Z"), at("2026-11-26T05:30:00Z")),
            None
        );
    }

    #[test]
    fn bad_schedules_say_why() {
        assert!(
            Schedule::parse("* * * *", None)
                .unwrap_err()
                .to_string()
                .contains("5 fields")
        );
        assert!(
            Schedule::parse("61 * * * *", None)
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
        assert!(Schedule::parse("* * * * *", Some("Nowhere/City")).is_err());
    }
}
