//! How severe each rule is: its default, then `specforge.toml` next to the
//! spec (`[lint]` with `rule-id = "error" | "warning" | "off"`), then
//! `--rule id=level` on the command line.

use std::collections::BTreeMap;
use std::path::Path;

use super::rules;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    Warning,
    Error,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "off" => Some(Level::Off),
            "warning" | "warn" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// The levels rules run at.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    levels: BTreeMap<&'static str, Level>,
}

impl LintConfig {
    /// Every rule at its default level.
    pub fn defaults() -> Self {
        LintConfig {
            levels: rules::RULES
                .iter()
                .map(|rule| (rule.id, rule.default))
                .collect(),
        }
    }

    pub fn level(&self, id: &str) -> Level {
        self.levels.get(id).copied().unwrap_or(Level::Off)
    }

    /// Sets one rule's level from `id=level`.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (id, level) = assignment
            .split_once('=')
            .ok_or_else(|| format!("`{assignment}` is not `rule-id=level`"))?;
        self.set_level(id.trim(), level.trim())
    }

    fn set_level(&mut self, id: &str, level: &str) -> Result<(), String> {
        let rule = rules::find(id).ok_or_else(|| format!("there is no rule `{id}`"))?;
        let level = Level::parse(level)
            .ok_or_else(|| format!("`{level}` is not a level: use error, warning or off"))?;
        self.levels.insert(rule.id, level);
        Ok(())
    }

    /// Applies `[lint]` of the `specforge.toml` beside `spec`, if there is one.
    /// Returns the file it read.
    pub fn read_beside(&mut self, spec: &Path) -> Result<Option<std::path::PathBuf>, String> {
        let file = spec.with_file_name("specforge.toml");
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(format!("cannot read `{}`: {error}", file.display())),
        };
        let table: toml::Table = text
            .parse()
            .map_err(|error| format!("`{}` is not valid TOML: {error}", file.display()))?;
        let Some(lint) = table.get("lint") else {
            return Ok(Some(file));
        };
        let lint = lint
            .as_table()
            .ok_or_else(|| format!("`lint` in `{}` is not a table", file.display()))?;
        for (id, level) in lint {
            let level = level
                .as_str()
                .ok_or_else(|| format!("`lint.{id}` in `{}` is not a string", file.display()))?;
            self.set_level(id, level)
                .map_err(|error| format!("{}: {error}", file.display()))?;
        }
        Ok(Some(file))
    }
}
