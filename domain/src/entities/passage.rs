use sea_orm::entity::prelude::*;

/// A piece of a file's text, as the assistant searches it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passages")]
pub struct Model {
    /// Only grows, so a user's (count, largest id) changes whenever their passages do.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: Uuid,
    pub file_id: Uuid,
    /// Its place in the file, from 0.
    pub ordinal: i32,
    pub text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
