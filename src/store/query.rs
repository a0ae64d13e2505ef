//! A statement and its bound values: the leaf both connections (sqlx's and the SQLite writer's)
//! run, knowing nothing of either.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};

/// A bound parameter. Nulls carry their type: PostgreSQL must know it.
#[derive(Debug, Clone)]
pub enum Value {
    I64(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Ts(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
}

macro_rules! value_from {
    ($t:ty, $variant:ident, $conv:expr) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Value {
                Value::$variant(v.map($conv))
            }
        }
    };
}
value_from!(i64, I64, |v| v);
value_from!(bool, Bool, |v| v);
value_from!(String, Text, |v| v);
value_from!(&str, Text, |v: &str| v.to_string());
value_from!(DateTime<Utc>, Ts, |v| v);
value_from!(NaiveDate, Date, |v| v);

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(Some(v.clone()))
    }
}
impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Value {
        Value::Text(v.clone())
    }
}

/// A statement and its bound values.
#[derive(Debug, Clone)]
pub struct Q {
    pub sql: Cow<'static, str>,
    pub args: Vec<Value>,
}

impl Q {
    pub fn new(sql: impl Into<Cow<'static, str>>) -> Q {
        Q { sql: sql.into(), args: Vec::new() }
    }

    pub fn bind(mut self, v: impl Into<Value>) -> Q {
        self.args.push(v.into());
        self
    }

    /// Adds a value and returns its placeholder (`$n`), for statements built piece by piece.
    pub fn push_bind(&mut self, v: impl Into<Value>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }

    /// Binds each of `ids` and answers `$n, $m, …` for an `IN (…)` list.
    pub fn push_ids(&mut self, ids: &[i64]) -> String {
        ids.iter().map(|id| self.push_bind(*id)).collect::<Vec<_>>().join(", ")
    }
}

/// `q!("SELECT … WHERE id = $1", id)`
#[macro_export]
macro_rules! q {
    ($sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::store::Q { sql: ::std::borrow::Cow::from($sql), args: vec![$($crate::store::Value::from($arg)),*] }
    };
}

/// SQLite looks named and numbered parameters up by a linear scan, so a statement with
/// thousands of `$n` costs quadratic time to prepare and bind (measured: 88% of a bulk insert).
/// Anonymous `?` parameters have no names; this rewrites `$n` into `?` and lays the values out
/// in the order the placeholders appear, repeating a value where its placeholder repeats.
/// Quoted literals and identifiers are left alone.
pub(super) fn positional(q: Q) -> Q {
    let sql = q.sql.as_ref();
    if !sql.contains('$') {
        return q;
    }
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut args = Vec::with_capacity(q.args.len());
    let mut i = 0;
    let mut start = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                i += 1;
            }
            b'$' if i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit() => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                let n: usize = sql[i + 1..j].parse().unwrap_or(0);
                // a placeholder without a value is left for SQLite to report
                if let Some(v) = n.checked_sub(1).and_then(|k| q.args.get(k)) {
                    out.push_str(&sql[start..i]);
                    out.push('?');
                    args.push(v.clone());
                    start = j;
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[start..]);
    Q { sql: out.into(), args }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_positional_in_order_of_appearance() {
        let q = Q::new("SELECT '$1', \"$2\" WHERE a = $2 AND (b = $1 OR c = $1) LIMIT $3")
            .bind(1i64)
            .bind("x")
            .bind(5i64);
        let p = positional(q);
        assert_eq!(p.sql, "SELECT '$1', \"$2\" WHERE a = ? AND (b = ? OR c = ?) LIMIT ?");
        let got: Vec<String> = p.args.iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(got, ["Text(Some(\"x\"))", "I64(Some(1))", "I64(Some(1))", "I64(Some(5))"]);
    }
}
