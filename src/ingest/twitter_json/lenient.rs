//! Field types that take whatever JSON a record holds. A value of the wrong type (a list where
//! a string belongs, `-1` for a count, `8.7e17` for an id) becomes [`Field::Wrong`], keeping
//! what was found, instead of failing the whole line: the parsers then drop that field with a
//! warning, or reject the one tweet that cannot do without it, and read the rest of the line
//! (a v2 page holds up to 100 tweets and their authors' profiles). Still one pass over the
//! bytes, as with serde's own types.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::marker::PhantomData;

/// A field as found: of the shape `T` takes, or not.
#[derive(Debug)]
pub enum Field<T> {
    Ok(T),
    Wrong(Wrong),
}

/// What a field held instead, written as JSON: `-1`, `"12"`, `8.7e17`, `[...]`, `{...}`.
#[derive(Debug, Clone)]
pub struct Wrong(pub String);

impl Wrong {
    fn string(s: &str) -> Wrong {
        let cut: String = s.chars().take(40).collect();
        let more = if cut.len() < s.len() { "..." } else { "" };
        Wrong(format!("\"{}{more}\"", crate::error::shown(&cut)))
    }

    /// Large floats in exponent notation, so an id that went through a float looks like one.
    fn float(x: f64) -> Wrong {
        Wrong(if x.abs() < 1e15 {
            x.to_string()
        } else {
            format!("{x:e}")
        })
    }
}

impl<T> Field<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Field::Ok(t) => Some(t),
            Field::Wrong(_) => None,
        }
    }
}

impl<T> From<Result<T, Wrong>> for Field<T> {
    fn from(r: Result<T, Wrong>) -> Field<T> {
        match r {
            Ok(t) => Field::Ok(t),
            Err(w) => Field::Wrong(w),
        }
    }
}

/// The JSON shapes a field type takes; each other one is kept as [`Wrong`]. Negative whole
/// numbers and booleans are wrong for every field we read.
pub trait Shape<'de>: Sized {
    fn from_str(s: Cow<'de, str>) -> Result<Self, Wrong> {
        Err(Wrong::string(&s))
    }
    fn from_u64(n: u64) -> Result<Self, Wrong> {
        Err(Wrong(n.to_string()))
    }
    fn from_f64(x: f64) -> Result<Self, Wrong> {
        Err(Wrong::float(x))
    }
    fn from_null() -> Result<Self, Wrong> {
        Err(Wrong("null".into()))
    }
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Result<Self, Wrong>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err(Wrong("[...]".into())))
    }
    fn from_map<A: MapAccess<'de>>(mut map: A) -> Result<Result<Self, Wrong>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Err(Wrong("{...}".into())))
    }
}

impl<'de, T: Shape<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field<T>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Shape<'de>> Visitor<'de> for V<T> {
            type Value = Field<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Field<T>, E> {
                Ok(Field::Wrong(Wrong(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Field<T>, E> {
                match u64::try_from(n) {
                    Ok(n) => Ok(T::from_u64(n).into()),
                    Err(_) => Ok(Field::Wrong(Wrong(n.to_string()))),
                }
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Field<T>, E> {
                Ok(T::from_u64(n).into())
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Field<T>, E> {
                Ok(T::from_f64(x).into())
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Field<T>, E> {
                Ok(T::from_str(Cow::Borrowed(s)).into())
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Field<T>, E> {
                Ok(T::from_str(Cow::Owned(s.to_string())).into())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Field<T>, E> {
                Ok(T::from_null().into())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Field<T>, A::Error> {
                Ok(T::from_seq(seq)?.into())
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Field<T>, A::Error> {
                Ok(T::from_map(map)?.into())
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A string that borrows from the line unless it had escapes. v1.1 also writes ids as
/// numbers: their decimal text is kept.
#[derive(Debug, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Shape<'de> for Text<'a> {
    fn from_str(s: Cow<'de, str>) -> Result<Text<'a>, Wrong> {
        Ok(Text(s))
    }
    fn from_u64(n: u64) -> Result<Text<'a>, Wrong> {
        Ok(Text(Cow::Owned(n.to_string())))
    }
    fn from_null() -> Result<Text<'a>, Wrong> {
        Ok(Text::default())
    }
}

/// A count: a whole number, 0 or more (`12.0` too).
impl Shape<'_> for u64 {
    fn from_u64(n: u64) -> Result<u64, Wrong> {
        Ok(n)
    }
    fn from_f64(x: f64) -> Result<u64, Wrong> {
        if x >= 0.0 && x.fract() == 0.0 && x < (1u64 << 53) as f64 {
            Ok(x as u64)
        } else {
            Err(Wrong::float(x))
        }
    }
}

/// A JSON object read as `T` (whose own fields are lenient in turn).
#[derive(Debug)]
pub struct Object<T>(pub T);

impl<T> std::ops::Deref for Object<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Shape<'de> for Object<T> {
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Result<Object<T>, Wrong>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Ok(Object(t)))
    }
}

/// A JSON list whose elements are read as `T`.
impl<'de, T: Deserialize<'de>> Shape<'de> for Vec<T> {
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Result<Vec<T>, Wrong>, A::Error> {
        let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(t) = seq.next_element()? {
            v.push(t);
        }
        Ok(Ok(v))
    }
}

pub type Str<'a> = Field<Text<'a>>;
pub type Count = Field<u64>;
pub type Obj<T> = Field<Object<T>>;
/// A list of objects, each of which may be of the wrong type on its own.
pub type List<T> = Field<Vec<Obj<T>>>;

/// `data` is an array in search pages and one object in stream lines.
#[derive(Debug)]
pub struct OneOrMany<T>(pub Vec<Obj<T>>);

impl<'de, T: Deserialize<'de>> Shape<'de> for OneOrMany<T> {
    fn from_seq<A: SeqAccess<'de>>(seq: A) -> Result<Result<OneOrMany<T>, Wrong>, A::Error> {
        Ok(Vec::from_seq(seq)?.map(OneOrMany))
    }
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Result<OneOrMany<T>, Wrong>, A::Error> {
        Ok(Object::from_map(map)?.map(|t| OneOrMany(vec![Field::Ok(t)])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Probe<'a> {
        #[serde(borrow)]
        s: Option<Str<'a>>,
        n: Option<Count>,
        #[serde(borrow)]
        l: Option<List<Probe<'a>>>,
    }

    fn wrong<T>(f: &Option<Field<T>>) -> &str {
        match f {
            Some(Field::Wrong(w)) => &w.0,
            _ => panic!("not wrong"),
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_is_kept_as_what_was_found() {
        let p: Probe = serde_json::from_str(
            r#"{"s": ["en"], "n": -1, "l": [{"s": "ok", "n": "12"}, 7, {"n": 8.7e17}]}"#,
        )
        .unwrap();
        assert_eq!(wrong(&p.s), "[...]");
        assert_eq!(wrong(&p.n), "-1");
        let l = p.l.as_ref().and_then(Field::ok).unwrap();
        let first = l[0].ok().unwrap();
        assert!(matches!(&first.s, Some(Field::Ok(Text(t))) if t == "ok"));
        assert_eq!(wrong(&first.n), "\"12\"");
        assert!(matches!(&l[1], Field::Wrong(w) if w.0 == "7"));
        assert_eq!(wrong(&l[2].ok().unwrap().n), "8.7e17");
    }

    #[test]
    fn values_of_the_right_type_are_read() {
        let p: Probe =
            serde_json::from_str(r#"{"s": 877919995476496385, "n": 12.0, "l": {"s": 1}}"#).unwrap();
        assert!(matches!(&p.s, Some(Field::Ok(Text(t))) if t == "877919995476496385"));
        assert!(matches!(p.n, Some(Field::Ok(12))));
        assert_eq!(wrong(&p.l), "{...}");
        let p: Probe = serde_json::from_str(r#"{"s": "a\"b", "n": null}"#).unwrap();
        assert!(matches!(&p.s, Some(Field::Ok(Text(t))) if t == "a\"b"));
        assert!(p.n.is_none());
    }
}
