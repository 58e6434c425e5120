//! The native-function API: how Rust code (the standard library and embedding hosts alike)
//! exposes functions to scripts. Every builtin registers itself through [`NativeDef`]
//! (DESIGN decision 8), declaring its arity and the capabilities it needs (decision 6).

use crate::value::Value;
use crate::vm::Vm;
use std::rc::Rc;

/// A capability set: what effects a script may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Caps(pub u32);

impl Caps {
    pub const NONE: Caps = Caps(0);
    pub const STDOUT: Caps = Caps(1);
    pub const STDIN: Caps = Caps(2);
    pub const FS_READ: Caps = Caps(4);
    pub const FS_WRITE: Caps = Caps(8);
    pub const ENV: Caps = Caps(16);
    pub const CLOCK: Caps = Caps(32);
    pub const PROCESS: Caps = Caps(64);
    pub const ALL: Caps = Caps(127);

    /// Every capability with its user-facing name.
    pub const NAMED: &'static [(&'static str, Caps)] = &[
        ("stdout", Caps::STDOUT),
        ("stdin", Caps::STDIN),
        ("fs-read", Caps::FS_READ),
        ("fs-write", Caps::FS_WRITE),
        ("env", Caps::ENV),
        ("clock", Caps::CLOCK),
        ("process", Caps::PROCESS),
    ];

    pub fn contains(self, other: Caps) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn union(self, other: Caps) -> Caps {
        Caps(self.0 | other.0)
    }
    pub fn without(self, other: Caps) -> Caps {
        Caps(self.0 & !other.0)
    }
    pub fn from_name(name: &str) -> Option<Caps> {
        Caps::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
    }
    /// The names of the capabilities in `self`, e.g. for an error message.
    pub fn names(self) -> Vec<&'static str> {
        Caps::NAMED
            .iter()
            .filter(|(_, c)| self.contains(*c))
            .map(|(n, _)| *n)
            .collect()
    }
}

/// What a native function returns: a value, or an error message that the VM turns into a
/// runtime error at the call site.
pub type NativeResult = Result<Value, String>;

/// A native function implemented by a plain function pointer (the standard library).
pub type NativeFn = fn(&mut Vm, &[Value]) -> NativeResult;

/// A native function implemented by a host closure.
pub type HostFn = Rc<dyn Fn(&mut Vm, &[Value]) -> NativeResult>;

#[derive(Clone)]
pub enum NativeImpl {
    Fn(NativeFn),
    Host(HostFn),
}

/// How many arguments a native accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arity {
    pub min: u8,
    /// `None`: any number above `min`.
    pub max: Option<u8>,
}

impl Arity {
    pub const fn exactly(n: u8) -> Arity {
        Arity {
            min: n,
            max: Some(n),
        }
    }
    pub const fn range(min: u8, max: u8) -> Arity {
        Arity {
            min,
            max: Some(max),
        }
    }
    pub const fn at_least(min: u8) -> Arity {
        Arity { min, max: None }
    }
    pub fn accepts(self, n: usize) -> bool {
        n >= self.min as usize && self.max.is_none_or(|m| n <= m as usize)
    }
    /// "1 argument", "2 to 3 arguments", "at least 1 argument".
    pub fn describe(self) -> String {
        let plural = |n: u8| if n == 1 { "argument" } else { "arguments" };
        match self.max {
            Some(m) if m == self.min => format!("{} {}", m, plural(m)),
            Some(m) => format!("{} to {} arguments", self.min, m),
            None => format!("at least {} {}", self.min, plural(self.min)),
        }
    }
}

/// A registered native function.
#[derive(Clone)]
pub struct NativeDef {
    /// A shared string, so that copying the library's table (`builtins::install`) copies
    /// no names. `"name".into()` makes one.
    pub name: Rc<str>,
    pub arity: Arity,
    /// Capabilities the call needs; the VM refuses the call without them.
    pub caps: Caps,
    pub imp: NativeImpl,
    /// How errors name it when not by `name`: for the hidden natives compiled code calls
    /// (`%`-names a program cannot write), what they do.
    pub shown: Option<&'static str>,
    /// Set on the library's own natives that compiled code may run inline for common
    /// arguments (see [`Intrinsic`]); a host's native never has it.
    pub intrinsic: Option<Intrinsic>,
}

/// A library native whose result, for the common arguments named here, compiled code
/// computes inline; for anything else it calls the native. Each fast path is exactly
/// what the native returns for those arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intrinsic {
    /// Ruff `len(a)` of an array: its length.
    Len,
    /// Ruff `push(a, v)` onto an array with spare capacity: stores `v`; returns `a`.
    Push,
    /// Ruff `sqrt(x)` of a float or int that is not negative: a float.
    Sqrt,
    /// Scheme `sqrt` of a float: a float (NaN for a negative one).
    FloatSqrt,
    /// Scheme `car` / `cdr` of a pair.
    Car,
    Cdr,
    /// Scheme `pair?` / `null?` of anything.
    IsPair,
    IsNull,
    /// Scheme `vector-ref` / `vector-set!` with an int index in range, `vector-length`.
    VectorRef,
    VectorSet,
    VectorLength,
    /// `%record-instance?` (a Scheme record's type test): whether a struct's type is the
    /// given struct type.
    RecordIs,
}

impl NativeDef {
    /// How errors name this native (see [`NativeDef::shown`]).
    pub fn shown_name(&self) -> &str {
        self.shown.unwrap_or(&*self.name)
    }

    /// This native, named `text` in errors.
    pub fn shown_as(mut self, text: &'static str) -> NativeDef {
        self.shown = Some(text);
        self
    }

    pub fn new(name: &str, arity: Arity, caps: Caps, f: NativeFn) -> NativeDef {
        NativeDef {
            name: name.into(),
            arity,
            caps,
            imp: NativeImpl::Fn(f),
            shown: None,
            intrinsic: None,
        }
    }
}
