use uuid::Uuid;

/// Who is asking. Resolved once per request by the server and passed to every service call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// The operator at the command line (or a job acting for the platform).
    System,
    User {
        id: Uuid,
        role: Role,
        /// What the request proved itself with.
        credential: Credential,
    },
}

/// How a signed-in user's request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, so "sign out" can end exactly that one. Sessions may do anything their
    /// user may.
    Session(String),
    /// A personal access token, limited to its scopes.
    Token { id: Uuid, scopes: Scopes },
}

impl Actor {
    pub fn user_id(&self) -> crate::Result<Uuid> {
        match self {
            Self::User { id, .. } => Ok(*id),
            Self::Anonymous | Self::System => Err(crate::Error::Unauthenticated),
        }
    }

    /// The session the request came with, if it came with one (not with a token).
    pub fn session_id(&self) -> Option<&str> {
        match self {
            Self::User { credential: Credential::Session(id), .. } => Some(id),
            _ => None,
        }
    }

    /// Whether the credential carries `scope`. Sessions and the system carry every scope.
    pub fn has_scope(&self, scope: Scope) -> bool {
        match self {
            Self::User { credential: Credential::Token { scopes, .. }, .. } => scopes.contains(scope),
            Self::User { .. } | Self::System => true,
            Self::Anonymous => false,
        }
    }

    /// `Forbidden` unless [`Self::is_admin`].
    pub fn require_admin(&self) -> crate::Result<()> {
        if self.is_admin() { Ok(()) } else { Err(crate::Error::Forbidden) }
    }

    /// An administrator acting as one: a token of an admin account without the `admin` scope
    /// is an ordinary user's token.
    pub fn is_admin(&self) -> bool {
        match self {
            Self::System => true,
            Self::User { role: Role::Admin, .. } => self.has_scope(Scope::Admin),
            Self::User { .. } | Self::Anonymous => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "admin" { Self::Admin } else { Self::User }
    }
}

/// What a personal access token may do: `read` (look), `write` (change), `admin` (the admin API,
/// for administrators only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Self; 3] = [Self::Read, Self::Write, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of scopes, stored as a comma-separated list (`read,write`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_subset_of(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// Stored form; unknown names in a stored value are ignored (never widened).
    pub fn from_stored(s: &str) -> Self {
        s.split(',').filter_map(Scope::parse).collect()
    }

    pub fn to_stored(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(",")
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |bits, s| bits | s.bit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(role: Role, scopes: &[Scope]) -> Actor {
        Actor::User {
            id: Uuid::nil(),
            role,
            credential: Credential::Token { id: Uuid::nil(), scopes: scopes.iter().copied().collect() },
        }
    }

    #[test]
    fn scopes_round_trip_and_compare() {
        let rw: Scopes = [Scope::Read, Scope::Write].into_iter().collect();
        assert_eq!(rw.to_stored(), "read,write");
        assert_eq!(Scopes::from_stored("write,read,bogus"), rw);
        assert!(Scopes::from_stored("read").is_subset_of(rw));
        assert!(!Scopes::from_stored("admin").is_subset_of(rw));
        assert!(Scopes::default().is_empty());
    }

    #[test]
    fn an_admins_token_is_admin_only_with_the_admin_scope() {
        assert!(!token(Role::Admin, &[Scope::Read, Scope::Write]).is_admin());
        assert!(token(Role::Admin, &[Scope::Admin]).is_admin());
        assert!(!token(Role::User, &[Scope::Admin]).is_admin());
        let session = Actor::User { id: Uuid::nil(), role: Role::Admin, credential: Credential::Session("s".into()) };
        assert!(session.is_admin() && session.has_scope(Scope::Write));
        assert!(!token(Role::User, &[Scope::Read]).has_scope(Scope::Write));
    }
}
