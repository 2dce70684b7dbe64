//! What travels between the server and the UI. Built from domain types in one explicit step.

use serde::{Deserialize, Serialize};

/// The signed-in user, as the shell needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub locale: String,
}

/// Everything the profile page shows and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDto {
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub time_zone: String,
    pub role: String,
    /// `YYYY-MM-DD`, in UTC.
    pub member_since: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::accounts::Account;

    use super::{ProfileDto, UserDto};

    impl From<&Account> for UserDto {
        fn from(a: &Account) -> Self {
            Self {
                id: a.id.to_string(),
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                is_admin: a.role == domain::Role::Admin,
                locale: a.locale.clone(),
            }
        }
    }

    impl From<&Account> for ProfileDto {
        fn from(a: &Account) -> Self {
            let date = a.created_at.date();
            Self {
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                locale: a.locale.clone(),
                time_zone: a.time_zone.clone(),
                role: a.role.as_str().into(),
                member_since: format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()),
            }
        }
    }
}
