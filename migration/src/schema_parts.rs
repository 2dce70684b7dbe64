//! The pieces most tables are built from, so that a migration states what differs and not how
//! sea-query spells it.
//!
//! Every name is still passed in by the migration: constraints and indexes already applied in
//! production are known by these names, and a later `down` or `drop_index` finds them by name.
//! For the same reason what each function builds is fixed: migrations that have already run use
//! it, and must keep producing the schema they did. A different shape is a new function.

use sea_orm_migration::prelude::*;

/// Only what other tables point at. Migrations that add columns to `users` declare their own
/// `Users` with those columns, as the one that created it does.
#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
}

/// Only what other tables point at; see [`Users`].
#[derive(DeriveIden)]
pub enum Files {
    Table,
    Id,
}

/// A row that exists only for its parent: deleting the parent deletes it, so erasing an account
/// or a file leaves nothing of it behind in the tables that hang off it.
pub fn cascade(
    name: &str,
    table: impl IntoTableRef,
    column: impl IntoIden,
    parent_table: impl IntoTableRef,
    parent_column: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(parent_table, parent_column)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// Most tables belong to an account and go with it.
pub fn belongs_to_user(name: &str, table: impl IntoTableRef, column: impl IntoIden) -> ForeignKeyCreateStatement {
    cascade(name, table, column, Users::Table, Users::Id)
}

/// Not unique: uniqueness is declared on the column (`string_uniq`, `string_len_uniq`), where the
/// table's definition shows it. The order of `columns` matters: a query uses the index only through
/// a leading run of them.
pub fn index<C: IntoIndexColumn>(
    name: &str,
    table: impl IntoTableRef,
    columns: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index
}

/// One column per statement: SQLite's `ALTER TABLE` takes a single change (sea-query panics on
/// more), so a migration adding two columns runs two of these.
pub fn add_column(table: impl IntoTableRef, column: impl IntoColumnDef) -> TableAlterStatement {
    Table::alter().table(table).add_column(column).to_owned()
}

/// The `down` of [`add_column`]. SQLite refuses to drop a column an index covers: drop the index
/// first.
pub fn drop_column(table: impl IntoTableRef, column: impl IntoIden) -> TableAlterStatement {
    Table::alter().table(table).drop_column(column).to_owned()
}
