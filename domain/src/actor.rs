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
        /// The session the request came with, so "sign out" can end exactly that one.
        session_id: String,
    },
}

impl Actor {
    pub fn user_id(&self) -> crate::Result<Uuid> {
        match self {
            Self::User { id, .. } => Ok(*id),
            Self::Anonymous | Self::System => Err(crate::Error::Unauthenticated),
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self, Self::System | Self::User { role: Role::Admin, .. })
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
