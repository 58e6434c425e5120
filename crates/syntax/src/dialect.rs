//! The surface languages and the one table of source-file extensions that selects them.

use std::path::Path;

/// The surface language of a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Ruff,
    Scheme,
    Jue,
}

impl Dialect {
    /// The dialect a file extension selects: `.ruff` Ruff; `.scm`, `.ss` and `.sld` Scheme;
    /// `.jue` Jue. This is the one table of extensions: `run`, `check`, module imports and
    /// the names imports bind all use it.
    pub fn from_path(path: &Path) -> Option<Dialect> {
        match path.extension()?.to_str()? {
            "ruff" => Some(Dialect::Ruff),
            "scm" | "ss" | "sld" => Some(Dialect::Scheme),
            "jue" => Some(Dialect::Jue),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_select_dialects() {
        let of = |p: &str| Dialect::from_path(Path::new(p));
        assert_eq!(of("a/b.ruff"), Some(Dialect::Ruff));
        for p in ["m.scm", "m.ss", "lib/m.sld"] {
            assert_eq!(of(p), Some(Dialect::Scheme), "{p}");
        }
        assert_eq!(of("x.jue"), Some(Dialect::Jue));
        assert_eq!(of("x.txt"), None);
        assert_eq!(of("noext"), None);
    }
}
