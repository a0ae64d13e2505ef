//! The calendar of charging: which periods a tariff's price is charged for. A monthly tariff is
//! charged for periods that start on the ISP's billing day (the 1st by default: 01.12–31.12; the
//! 15th: 15.12–14.01), a daily one for each day. A period is due on its first day. What is due
//! for a customer runs from the first period not yet decided up to the day of the run, in order,
//! so a run after downtime catches up every missed period.

use chrono::{Datelike, Duration, NaiveDate};

use super::money::Money;
use super::tariff::Period;

/// The latest billing day a month is sure to have.
pub const MAX_BILLING_DAY: u32 = 28;

/// One period a price is charged for: its first and last day, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// `01.12–31.12`, the years left out when the period is within one.
    pub fn short(self) -> String {
        if self.from == self.to {
            self.from.format("%d.%m.%Y").to_string()
        } else if self.from.year() == self.to.year() {
            format!("{}–{}", self.from.format("%d.%m"), self.to.format("%d.%m.%Y"))
        } else {
            format!("{}–{}", self.from.format("%d.%m.%Y"), self.to.format("%d.%m.%Y"))
        }
    }
}

fn month_day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

fn next_month(d: NaiveDate) -> (i32, u32) {
    if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) }
}

/// The period of `period` kind that holds day `d`, with billing day `billing_day` (1–28).
pub fn span_of(period: Period, billing_day: u32, d: NaiveDate) -> Span {
    match period {
        Period::Day => Span { from: d, to: d },
        Period::Month => {
            let day = billing_day.clamp(1, MAX_BILLING_DAY);
            let from = if d.day() >= day {
                month_day(d.year(), d.month(), day)
            } else {
                let (y, m) = if d.month() == 1 { (d.year() - 1, 12) } else { (d.year(), d.month() - 1) };
                month_day(y, m, day)
            };
            let (y, m) = next_month(from);
            Span { from, to: month_day(y, m, day) - Duration::days(1) }
        }
    }
}

/// The periods due from the one holding `start` up to the one holding `through`, in order; a
/// period is due once its first day that counts (`start` for the first) has come.
pub fn due(period: Period, billing_day: u32, start: NaiveDate, through: NaiveDate) -> Vec<Span> {
    let mut out = Vec::new();
    let mut span = span_of(period, billing_day, start);
    while span.from.max(start) <= through {
        out.push(span);
        span = span_of(period, billing_day, span.to + Duration::days(1));
    }
    out
}

/// `price` for the `days` of a period of `full` days, to the kopeck, half up.
pub fn prorate(price: Money, days: i64, full: i64) -> Money {
    if days >= full || full <= 0 {
        return price;
    }
    let p = i128::from(price.minor());
    let v = (p * i128::from(days) * 2 + i128::from(full)) / (2 * i128::from(full));
    Money::from_minor(i64::try_from(v).unwrap_or(i64::MAX))
}

/// The last day the customer's money pays for: the periods charged already (through
/// `charged_through`, or yesterday when none were), then as many whole periods of `price` as
/// `available` (balance + credit + promise) covers. `None` when nothing is charged (a free
/// tariff) or the money is below zero already.
pub fn paid_until(
    period: Period,
    billing_day: u32,
    price: super::money::Money,
    available: super::money::Money,
    charged_through: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if price.minor() <= 0 || available.is_negative() {
        return None;
    }
    let mut through = charged_through.unwrap_or(today - Duration::days(1));
    // at most ten years ahead: a prepayment beyond that says nothing useful
    let periods = (available.minor() / price.minor()).min(match period {
        Period::Month => 120,
        Period::Day => 3653,
    });
    for _ in 0..periods {
        through = span_of(period, billing_day, through + Duration::days(1)).to;
    }
    Some(through)
}

/// A block for debt: from when, caused by which operation, with how much available then;
/// lifted when and by which operation, or still in force.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DebtBlock {
    pub id: i64,
    pub customer_id: i64,
    pub blocked_at: chrono::DateTime<chrono::Utc>,
    pub blocked_by: Option<i64>,
    pub available: super::money::Money,
    pub unblocked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub unblocked_by: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn paid_until_counts_whole_periods_the_money_covers() {
        use super::super::money::Money;
        let m = |r: i64| Money::from_minor(r * 100);
        let today = d(2026, 12, 10);
        // December charged; 1 200 covers two more months of 500
        assert_eq!(
            paid_until(Period::Month, 1, m(500), m(1200), Some(d(2026, 12, 31)), today),
            Some(d(2027, 2, 28))
        );
        // nothing left over: paid through what was charged
        assert_eq!(
            paid_until(Period::Month, 1, m(500), m(0), Some(d(2026, 12, 31)), today),
            Some(d(2026, 12, 31))
        );
        // daily: 100 covers five days of 20 after yesterday
        assert_eq!(paid_until(Period::Day, 1, m(20), m(100), None, today), Some(d(2026, 12, 14)));
        assert_eq!(paid_until(Period::Month, 1, m(500), m(-1), Some(d(2026, 12, 31)), today), None);
        assert_eq!(paid_until(Period::Month, 1, m(0), m(100), None, today), None);
    }

    #[test]
    fn months_from_the_billing_day() {
        assert_eq!(
            span_of(Period::Month, 1, d(2026, 12, 17)),
            Span { from: d(2026, 12, 1), to: d(2026, 12, 31) }
        );
        assert_eq!(
            span_of(Period::Month, 15, d(2026, 12, 17)),
            Span { from: d(2026, 12, 15), to: d(2027, 1, 14) }
        );
        assert_eq!(
            span_of(Period::Month, 15, d(2027, 1, 3)),
            Span { from: d(2026, 12, 15), to: d(2027, 1, 14) }
        );
        assert_eq!(span_of(Period::Month, 1, d(2028, 2, 29)).days(), 29);
        assert_eq!(span_of(Period::Day, 1, d(2026, 12, 17)).days(), 1);
        assert_eq!(span_of(Period::Month, 1, d(2026, 12, 17)).short(), "01.12–31.12.2026");
    }

    #[test]
    fn due_periods_catch_up_in_order_and_tile_the_calendar() {
        let months = due(Period::Month, 1, d(2026, 9, 20), d(2026, 12, 1));
        let starts: Vec<NaiveDate> = months.iter().map(|s| s.from).collect();
        assert_eq!(starts, vec![d(2026, 9, 1), d(2026, 10, 1), d(2026, 11, 1), d(2026, 12, 1)]);
        for w in months.windows(2) {
            assert_eq!(w[0].to + Duration::days(1), w[1].from, "no gap, no overlap");
        }
        assert_eq!(due(Period::Day, 1, d(2026, 12, 1), d(2026, 12, 3)).len(), 3);
        assert!(due(Period::Month, 1, d(2027, 1, 1), d(2026, 12, 31)).is_empty());
        // a customer starting on the 17th owes nothing for December before the 17th
        assert!(due(Period::Month, 1, d(2026, 12, 17), d(2026, 12, 16)).is_empty());
        assert_eq!(due(Period::Month, 1, d(2026, 12, 17), d(2026, 12, 17)).len(), 1);
    }

    #[test]
    fn a_part_of_a_period_is_charged_for_its_days_half_up() {
        let p = Money::from_minor(50_000);
        assert_eq!(prorate(p, 31, 31), p);
        assert_eq!(prorate(p, 1, 31), Money::from_minor(1_613)); // 16.129… → 16,13
        assert_eq!(prorate(p, 16, 31), Money::from_minor(25_806)); // 258.064… → 258,06
        assert_eq!(prorate(Money::from_minor(100), 1, 2), Money::from_minor(50));
        assert_eq!(prorate(Money::from_minor(1), 1, 2), Money::from_minor(1)); // 0.5 kopeck → 1
        // the days of a month, each charged apart, add up to the price within a kopeck a day
        let parts: i64 = (0..31).map(|_| prorate(p, 1, 31).minor()).sum();
        assert!((parts - p.minor()).abs() <= 31);
    }
}
