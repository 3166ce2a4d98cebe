//! The one table of experiment keys (in the spirit of TensorFlow Playground's `State.PROPS`):
//! each row — a doc line, a name, a Rust type and how its value is written — generates the
//! [`super::Experiment`] field, its place in [`super::KEYS`], its parsing ([`super::Experiment::set`]),
//! its text ([`super::Experiment::get`]) and its [`Key`] entry, which the wasm API hands the page
//! (`stateKeys()`). Defaults live in [`super::Recipe::defaults`].

/// How a key's value is written in a URL hash or a config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One of these names (quoted in TOML).
    Name(&'static [&'static str]),
    /// A finite number.
    Number,
    /// A number, or this word (or nothing) for "unset" (`q = "auto"`, `target = "none"`).
    Optional(&'static str),
    /// Comma-separated whole numbers (a TOML array).
    List,
}

/// One experiment key as the table declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The URL / TOML key, which is also the [`super::Experiment`] field.
    pub name: &'static str,
    /// How its value is written.
    pub kind: Kind,
    /// Its doc comment, one line per doc line.
    pub doc: &'static str,
}

/// Declares the experiment keys. A row is `/// doc` lines, then `name: Type = kind`, where kind is
/// `name` (an enum of `names!`), `number`, `optional("word")` (unset shows as the word),
/// `unset("word")` (unset has no text: [`super::Experiment::get`] gives `None`) or `list`.
macro_rules! keys {
    ($($(#[doc = $doc:literal])+ $key:ident : $ty:ty = $kind:ident $(($word:literal))?),+ $(,)?) => {
        /// Everything that defines an experiment. Field names are the URL / TOML keys; the
        /// defaults are those of [`Recipe::Custom`] (see [`Recipe::defaults`]); a state object
        /// missing keys (one written before they existed) takes those defaults.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct Experiment {
            $($(#[doc = $doc])+ pub $key: $ty,)+
        }

        /// Keys of the state, in URL / config order.
        pub const KEYS: &[&str] = &[$(stringify!($key)),+];

        /// Every key with its kind and doc, in [`KEYS`] order.
        pub const TABLE: &[Key] = &[$(Key {
            name: stringify!($key),
            kind: keys!(@kind $kind $ty $(, $word)?),
            doc: concat!($($doc, "\n"),+),
        }),+];

        impl Experiment {
            /// Set one key from its textual value.
            pub fn set(&mut self, key: &str, value: &str) -> Result<(), StateError> {
                match key {
                    $(stringify!($key) => self.$key = keys!(@parse $kind $ty, key, value $(, $word)?),)+
                    _ => return Err(StateError::UnknownKey(key.into())),
                }
                Ok(())
            }

            /// The textual value of one key (the inverse of [`Experiment::set`]); `None` for an
            /// unknown key or an unset `unset(..)` number.
            pub fn get(&self, key: &str) -> Option<String> {
                Some(match key {
                    $(stringify!($key) => keys!(@show $kind self.$key $(, $word)?),)+
                    _ => return None,
                })
            }
        }
    };
    (@kind name $ty:ty) => { Kind::Name(<$ty>::NAMES) };
    (@kind number $ty:ty) => { Kind::Number };
    (@kind optional $ty:ty, $word:literal) => { Kind::Optional($word) };
    (@kind unset $ty:ty, $word:literal) => { Kind::Optional($word) };
    (@kind list $ty:ty) => { Kind::List };
    (@parse name $ty:ty, $k:ident, $v:ident) => { <$ty>::parse($k, $v)? };
    (@parse number $ty:ty, $k:ident, $v:ident) => { number($k, $v)? };
    (@parse optional $ty:ty, $k:ident, $v:ident, $word:literal) => { optional($k, $v, $word)? };
    (@parse unset $ty:ty, $k:ident, $v:ident, $word:literal) => { optional($k, $v, $word)? };
    (@parse list $ty:ty, $k:ident, $v:ident) => { list($k, $v)? };
    (@show name $field:expr) => { $field.to_string() };
    (@show number $field:expr) => { $field.to_string() };
    (@show optional $field:expr, $word:literal) => { show(&$field, $word) };
    (@show unset $field:expr, $word:literal) => { $field?.to_string() };
    (@show list $field:expr) => {
        $field.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
    };
}

pub(super) use keys;
