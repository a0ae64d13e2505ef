//! An amount in Russian words, as a cash receipt order (ПКО) writes it: «Пятьсот рублей
//! 00 копеек» — the roubles in words with the right gender and plural, the kopecks in figures.
//!
//! No maintained Rust crate writes Russian amounts with the genders of «тысяча» (feminine)
//! and «рубль» (masculine), so this is kassa's own, checked by the tests below.

use super::money::Money;

const UNITS_MASC: [&str; 10] =
    ["", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"];
const UNITS_FEM: [&str; 10] =
    ["", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"];
const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];
const HUNDREDS: [&str; 10] =
    ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Gender {
    Masculine,
    Feminine,
}

/// The form of a noun after the number `n`: «1 рубль», «2 рубля», «5 рублей», «11 рублей»,
/// «21 рубль».
pub fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 100, n % 10) {
        (11..=14, _) => many,
        (_, 1) => one,
        (_, 2..=4) => few,
        _ => many,
    }
}

/// 1–999 in words, pushed onto `out`.
fn triple(n: u64, gender: Gender, out: &mut Vec<&'static str>) {
    let (h, rest) = (n / 100, n % 100);
    if h > 0 {
        out.push(HUNDREDS[h as usize]);
    }
    match rest {
        0 => {}
        10..=19 => out.push(TEENS[(rest - 10) as usize]),
        _ => {
            if rest >= 20 {
                out.push(TENS[(rest / 10) as usize]);
            }
            let u = (rest % 10) as usize;
            if u > 0 {
                out.push(if gender == Gender::Feminine { UNITS_FEM[u] } else { UNITS_MASC[u] });
            }
        }
    }
}

/// A whole number in words in `gender` («двадцать один», «двадцать одна»), «ноль» for 0.
fn number(n: u64, gender: Gender) -> String {
    if n == 0 {
        return "ноль".to_string();
    }
    // (scale, its gender, its three forms), from the largest
    const SCALES: [(u64, Gender, [&str; 3]); 5] = [
        (1_000_000_000_000_000, Gender::Masculine, ["квадриллион", "квадриллиона", "квадриллионов"]),
        (1_000_000_000_000, Gender::Masculine, ["триллион", "триллиона", "триллионов"]),
        (1_000_000_000, Gender::Masculine, ["миллиард", "миллиарда", "миллиардов"]),
        (1_000_000, Gender::Masculine, ["миллион", "миллиона", "миллионов"]),
        (1_000, Gender::Feminine, ["тысяча", "тысячи", "тысяч"]),
    ];
    let mut words = Vec::new();
    let mut rest = n;
    for (scale, g, [one, few, many]) in SCALES {
        let k = rest / scale;
        if k > 0 {
            // below a thousand even for the largest amount: i64 kopecks are < 93 quadrillion roubles
            triple(k, g, &mut words);
            words.push(plural(k, one, few, many));
            rest %= scale;
        }
    }
    triple(rest, gender, &mut words);
    words.join(" ")
}

/// «Пятьсот рублей 00 копеек»: the roubles in words, capitalised, the kopecks in figures;
/// a negative amount starts with «Минус».
pub fn rubles_in_words(amount: Money) -> String {
    let minor = amount.minor();
    let abs = minor.unsigned_abs();
    let (rub, kop) = (abs / 100, abs % 100);
    let words = format!(
        "{}{} {} {:02} {}",
        if minor < 0 { "минус " } else { "" },
        number(rub, Gender::Masculine),
        plural(rub, "рубль", "рубля", "рублей"),
        kop,
        plural(kop, "копейка", "копейки", "копеек"),
    );
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(minor: i64) -> String {
        rubles_in_words(Money::from_minor(minor))
    }

    #[test]
    fn amounts_in_words() {
        assert_eq!(words(0), "Ноль рублей 00 копеек");
        assert_eq!(words(100), "Один рубль 00 копеек");
        assert_eq!(words(200), "Два рубля 00 копеек");
        assert_eq!(words(500), "Пять рублей 00 копеек");
        assert_eq!(words(1100), "Одиннадцать рублей 00 копеек");
        assert_eq!(words(2100), "Двадцать один рубль 00 копеек");
        assert_eq!(words(50_000), "Пятьсот рублей 00 копеек");
        assert_eq!(words(100_000), "Одна тысяча рублей 00 копеек");
        assert_eq!(words(200_000), "Две тысячи рублей 00 копеек");
        assert_eq!(words(2_100_000), "Двадцать одна тысяча рублей 00 копеек");
        assert_eq!(words(1_100_000), "Одиннадцать тысяч рублей 00 копеек");
        assert_eq!(words(100_000_000), "Один миллион рублей 00 копеек");
        assert_eq!(
            words(12_345_678_901),
            "Сто двадцать три миллиона четыреста пятьдесят шесть тысяч семьсот восемьдесят девять рублей 01 копейка"
        );
        assert_eq!(words(1), "Ноль рублей 01 копейка");
        assert_eq!(words(2), "Ноль рублей 02 копейки");
        assert_eq!(words(11), "Ноль рублей 11 копеек");
        assert_eq!(words(21), "Ноль рублей 21 копейка");
        assert_eq!(words(85_050), "Восемьсот пятьдесят рублей 50 копеек");
        assert_eq!(words(-1_500), "Минус пятнадцать рублей 00 копеек");
        assert_eq!(words(100_000_000_000), "Один миллиард рублей 00 копеек");
        assert_eq!(words(100_400_000), "Один миллион четыре тысячи рублей 00 копеек");
        assert_eq!(words(i64::MIN).split(' ').next(), Some("Минус"));
    }

    #[test]
    fn plurals() {
        for (n, form) in [
            (1, "рубль"),
            (2, "рубля"),
            (4, "рубля"),
            (5, "рублей"),
            (11, "рублей"),
            (12, "рублей"),
            (14, "рублей"),
            (21, "рубль"),
            (22, "рубля"),
            (111, "рублей"),
            (101, "рубль"),
        ] {
            assert_eq!(plural(n, "рубль", "рубля", "рублей"), form, "{n}");
        }
    }
}
