//! The calendar of charging: which periods a tariff's price is charged for. A monthly tariff is
//! charged for periods that start on the ISP's billing day (the 1st by default: 01.12–31.12; the
//! 15th: 15.12–14.01), a daily one for each day. A period is due on its first day. What is due
//! for a customer runs from the first period not yet decided up to the day of the run, in order,
//! so a run after downtime catches up every missed period.

use chrono::{Datelike, Duration, NaiveDate};

use super::money::Money;
use super::problem::Problem;
use super::tariff::Period;

/// The latest billing day a month is sure to have.
pub const MAX_BILLING_DAY: u32 = 28;

/// One period a price is charged for: its first and last day, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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

/// A share in hundredths of a percent (basis points): 1250 is 12,5 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Percent(pub i64);

impl Percent {
    pub const HUNDRED: Percent = Percent(10_000);

    /// `12,5`, `12.5 %`, `20`: from 0 to 100, at most two decimals.
    pub fn parse(text: &str) -> Result<Percent, Problem> {
        let bad = || Problem::Percent(text.trim().to_string());
        let t = text.trim().trim_end_matches('%').trim().replace(',', ".");
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
        let bp = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
        if bp > Percent::HUNDRED.0 {
            return Err(bad());
        }
        Ok(Percent(bp))
    }

    /// `12,5 %`, `20 %`.
    pub fn format_ru(self) -> String {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => format!("{whole} %"),
            f if f % 10 == 0 => format!("{whole},{} %", f / 10),
            f => format!("{whole},{f:02} %"),
        }
    }

    /// `share` of `amount`, to the kopeck, half up.
    pub fn of(self, amount: Money) -> Money {
        let v = (i128::from(amount.minor()) * i128::from(self.0) * 2 + 10_000) / 20_000;
        Money::from_minor(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

/// What a discount is taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "id")]
pub enum Applies {
    /// Every charge.
    All,
    /// The tariff: one (by id) or any.
    Tariff(Option<i64>),
    /// An extra service: one of the catalogue (by id) or any.
    Service(Option<i64>),
}

impl Applies {
    pub fn kind(self) -> &'static str {
        match self {
            Applies::All => "all",
            Applies::Tariff(_) => "tariff",
            Applies::Service(_) => "service",
        }
    }

    pub fn item_id(self) -> Option<i64> {
        match self {
            Applies::All => None,
            Applies::Tariff(id) | Applies::Service(id) => id,
        }
    }

    pub fn from_parts(kind: &str, item_id: Option<i64>) -> Result<Applies, Problem> {
        match kind {
            "all" => Ok(Applies::All),
            "tariff" => Ok(Applies::Tariff(item_id)),
            "service" => Ok(Applies::Service(item_id)),
            other => {
                Err(Problem::NotOneOf { value: other.to_string(), allowed: &["all", "tariff", "service"] })
            }
        }
    }

    /// Whether a charge for `item` gets it.
    pub fn covers(self, item: Charged) -> bool {
        match (self, item) {
            (Applies::All, _) => true,
            (Applies::Tariff(want), Charged::Tariff(id)) | (Applies::Service(want), Charged::Service(id)) => {
                want.is_none_or(|w| w == id)
            }
            _ => false,
        }
    }
}

/// What one charge is for, as discounts and taxes see it: a tariff or a catalogue service, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charged {
    Tariff(i64),
    Service(i64),
}

impl Charged {
    pub fn kind(self) -> TaxItem {
        match self {
            Charged::Tariff(_) => TaxItem::Tariff,
            Charged::Service(_) => TaxItem::Service,
        }
    }
}

/// Who a discount is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "id")]
pub enum Whom {
    Customer(i64),
    Group(i64),
}

/// A discount (BILLmanager `account.discount`): a percentage off what it applies to, from one
/// day to another (or on), for a customer or a group, with a priority among others.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Discount {
    pub id: i64,
    pub whom: Whom,
    pub percent: Percent,
    pub applies: Applies,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub priority: i64,
    pub comment: String,
}

impl Discount {
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// The discount a charge for `item` beginning on `day` gets among `all` (those of the customer
/// and of the customer's group): discounts do not add up — the highest priority wins, then the
/// larger percentage, then the older discount.
pub fn best_discount(all: &[Discount], item: Charged, day: NaiveDate) -> Option<&Discount> {
    all.iter()
        .filter(|d| d.in_force(day) && d.applies.covers(item))
        .max_by(|a, b| a.priority.cmp(&b.priority).then(a.percent.cmp(&b.percent)).then(b.id.cmp(&a.id)))
}

/// The kinds of item a tax rule is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxItem {
    Tariff,
    Service,
}

impl TaxItem {
    pub const ALL: [TaxItem; 2] = [TaxItem::Tariff, TaxItem::Service];

    pub fn as_str(self) -> &'static str {
        match self {
            TaxItem::Tariff => "tariff",
            TaxItem::Service => "service",
        }
    }
}

impl std::str::FromStr for TaxItem {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "tariff" => Ok(TaxItem::Tariff),
            "service" => Ok(TaxItem::Service),
            other => Err(Problem::NotOneOf { value: other.to_string(), allowed: &["tariff", "service"] }),
        }
    }
}

/// A tax rule (BILLmanager `account.taxrule`): the rate of tax included in every charge of one
/// kind of item, by name («НДС 22 %», «Без НДС» at 0).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaxRule {
    pub item: TaxItem,
    pub name: String,
    pub rate: Percent,
}

/// The tax included in `amount` at `rate` (the seed's SUM − SUM / ((100 + RATE) / 100)), to
/// the kopeck, half up: SUM × RATE / (100 + RATE), worked in whole numbers.
pub fn tax_included(amount: Money, rate: Percent) -> Money {
    if rate.0 <= 0 {
        return Money::ZERO;
    }
    let num = i128::from(amount.minor()) * i128::from(rate.0);
    let den = 10_000 + i128::from(rate.0);
    let v = (num * 2 + den) / (2 * den);
    Money::from_minor(i64::try_from(v).unwrap_or(i64::MAX))
}

/// A price after its discount: what is charged, and what the discount took off.
pub fn discounted(price: Money, discount: Option<Percent>) -> (Money, Money) {
    let off = discount.map_or(Money::ZERO, |p| p.of(price));
    (Money::from_minor(price.minor() - off.minor()), off)
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

    #[test]
    fn percentages_read_and_say_two_decimals() {
        assert_eq!(Percent::parse("12,5").ok(), Some(Percent(1250)));
        assert_eq!(Percent::parse(" 20 % ").ok(), Some(Percent(2000)));
        assert_eq!(Percent::parse("0.05").ok(), Some(Percent(5)));
        assert_eq!(Percent::parse("100").ok(), Some(Percent(10_000)));
        for bad in ["", "abc", "100.01", "1.234", "-5", ".5", "1e3", "99999999999999999999"] {
            assert!(Percent::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Percent(1250).format_ru(), "12,5 %");
        assert_eq!(Percent(2000).format_ru(), "20 %");
        assert_eq!(Percent(5).format_ru(), "0,05 %");
    }

    #[test]
    fn tax_is_included_in_the_amount_to_the_kopeck() {
        let m = Money::from_minor;
        // 1 200,00 with 20 % included: 200,00
        assert_eq!(tax_included(m(120_000), Percent(2000)), m(20_000));
        // 500,00 with 22 %: 90,1639… → 90,16
        assert_eq!(tax_included(m(50_000), Percent(2200)), m(9_016));
        // 0,01 with 20 %: 0,00166… → 0,00
        assert_eq!(tax_included(m(1), Percent(2000)), m(0));
        assert_eq!(tax_included(m(50_000), Percent(0)), m(0));
        // the seed's formula, in decimals, agrees within half a kopeck
        for (sum, rate) in [(123_457_i64, 1000_i64), (99, 2000), (777_777, 2200), (50_000, 1800)] {
            let exact = sum as f64 - sum as f64 / ((10_000.0 + rate as f64) / 10_000.0);
            let got = tax_included(m(sum), Percent(rate)).minor() as f64;
            assert!((got - exact).abs() <= 0.5, "{sum} {rate}: {got} vs {exact}");
        }
    }

    #[test]
    fn the_discount_with_the_highest_priority_wins() {
        let day = d(2026, 12, 1);
        let disc = |id, pct, applies, priority, from, to| Discount {
            id,
            whom: Whom::Customer(1),
            percent: Percent(pct),
            applies,
            from,
            to,
            priority,
            comment: String::new(),
        };
        let all = vec![
            disc(1, 1000, Applies::All, 0, d(2026, 1, 1), None),
            disc(2, 5000, Applies::Tariff(Some(7)), 0, d(2026, 1, 1), Some(d(2026, 11, 30))),
            disc(3, 2000, Applies::Tariff(None), 1, d(2026, 12, 1), None),
            disc(4, 3000, Applies::Service(Some(9)), 0, d(2026, 1, 1), None),
        ];
        // the 50 % ended the day before; 20 % (priority 1) beats 10 %
        assert_eq!(best_discount(&all, Charged::Tariff(7), day).map(|x| x.id), Some(3));
        assert_eq!(best_discount(&all, Charged::Service(9), day).map(|x| x.id), Some(4));
        assert_eq!(best_discount(&all, Charged::Service(8), day).map(|x| x.id), Some(1));
        assert_eq!(best_discount(&all, Charged::Tariff(7), d(2026, 11, 30)).map(|x| x.id), Some(2));
        assert_eq!(best_discount(&all, Charged::Tariff(7), d(2025, 1, 1)), None);
        let (charged, off) = discounted(Money::from_minor(50_000), Some(Percent(1250)));
        assert_eq!((charged, off), (Money::from_minor(43_750), Money::from_minor(6_250)));
    }

    proptest::proptest! {
        /// Proration: a whole period costs the price; a part is within half a kopeck of its
        /// exact share and never more than the price; more days never cost less; a period cut
        /// in two (a change of tariff: the part kept, the part credited) adds up to the price
        /// to the kopeck.
        #[test]
        fn proration_loses_no_kopeck(price in 0i64..100_000_000, full in 1i64..=31, days in 0i64..=31) {
            let k = days.min(full);
            let p = Money::from_minor(price);
            proptest::prop_assert_eq!(prorate(p, full, full), p);
            let part = prorate(p, k, full).minor();
            proptest::prop_assert!((0..=price).contains(&part));
            let off = (i128::from(part) * i128::from(full) * 2 - i128::from(price) * i128::from(k) * 2).abs();
            proptest::prop_assert!(off <= i128::from(full), "{} of {} days of {}: {}", k, full, price, part);
            if k < full {
                proptest::prop_assert!(prorate(p, k + 1, full).minor() >= part);
            }
            let credited = prorate(p, full - k, full).minor();
            let kept = price - credited;
            proptest::prop_assert_eq!(kept + credited, price);
            proptest::prop_assert!((kept - part).abs() <= 1, "kept {} vs charged alone {}", kept, part);
        }

        /// The periods due between any two days tile the calendar: no gap, no overlap, each
        /// holding its first day's period, a month from the billing day.
        #[test]
        fn due_periods_tile(start in 0i64..3000, len in 0i64..800, day in 1u32..=28) {
            let start = d(2024, 1, 1) + Duration::days(start);
            let through = start + Duration::days(len);
            let spans = due(Period::Month, day, start, through);
            proptest::prop_assert!(!spans.is_empty());
            proptest::prop_assert!(spans[0].from <= start && start <= spans[0].to);
            for w in spans.windows(2) {
                proptest::prop_assert_eq!(w[0].to + Duration::days(1), w[1].from);
            }
            for s in &spans {
                proptest::prop_assert_eq!(s.from.day(), day);
                proptest::prop_assert!((28..=31).contains(&s.days()));
            }
            let last = spans[spans.len() - 1];
            proptest::prop_assert!(last.from <= through && through <= last.to);
        }
    }
}
