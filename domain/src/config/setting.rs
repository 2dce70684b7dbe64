//! What one row of a settings table says about a setting: its key, variable, flag, default, kind
//! and help. The domain's rows are in `table`, the server's in `server::settings`.

/// What a setting's value looks like on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One value: `--files-quota 1GiB`.
    Value,
    /// One of these values, each with its help.
    Choice(&'static [(&'static str, &'static str)]),
    /// `true` or `false` (also `yes`/`no`, `on`/`off`, `1`/`0`), given as a value.
    Boolean,
    /// A flag without a value; `true` or `false` from the environment or a file.
    Switch,
    /// Comma-separated values; the flag may also be given more than once.
    List,
}

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Where the value goes in the settings tree, e.g. `files.quota`.
    pub key: &'static str,
    /// The environment variable, which is also its key in the settings file.
    pub env: &'static str,
    /// The long flag, without its `--`.
    pub flag: &'static str,
    /// The value when no layer sets one, written as an operator would write it. None: unset (or
    /// off, for a switch).
    pub default: Option<&'static str>,
    pub kind: Kind,
    /// May hold a password or a key: its value is never shown, neither in `--help` nor in errors.
    pub secret: bool,
    /// The `--help` section the flag is listed under.
    pub heading: Option<&'static str>,
    pub help: &'static str,
    /// The one command that takes the flag (`worker`); None: every command.
    pub command: Option<&'static str>,
}

impl Setting {
    pub const fn new(key: &'static str, env: &'static str, flag: &'static str, help: &'static str) -> Self {
        Self { key, env, flag, default: None, kind: Kind::Value, secret: false, heading: None, help, command: None }
    }

    pub const fn default(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }

    pub const fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    pub const fn under(mut self, heading: &'static str) -> Self {
        self.heading = Some(heading);
        self
    }

    pub const fn only_for(mut self, command: &'static str) -> Self {
        self.command = Some(command);
        self
    }

    /// The flag as `--help` and errors show it: `--files-quota <FILES_QUOTA>`.
    pub fn flag_usage(&self) -> String {
        match self.kind {
            Kind::Switch => format!("--{}", self.flag),
            _ => format!("--{} <{}>", self.flag, self.env),
        }
    }
}
