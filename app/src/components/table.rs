//! Every list of records is one table, drawn one way: a box that scrolls sideways on a narrow
//! screen, a caption for screen readers (the card's heading says it to everyone else) and a row
//! of column names. The page gives the rows.

use leptos::prelude::*;

use crate::i18n::t;

/// One column's header: its name's message key, and how the column is shown.
#[derive(Clone, Copy)]
pub struct Column {
    key: &'static str,
    numeric: bool,
    actions: bool,
}

impl Column {
    pub const fn text(key: &'static str) -> Self {
        Self { key, numeric: false, actions: false }
    }

    /// Right-aligned, for counts, sizes and sequence numbers.
    pub const fn numeric(key: &'static str) -> Self {
        Self { key, numeric: true, actions: false }
    }

    /// The buttons of each row: the name is for screen readers only.
    pub const fn actions(key: &'static str) -> Self {
        Self { key, numeric: false, actions: true }
    }
}

#[component]
pub fn DataTable<C>(
    caption: C,
    columns: &'static [Column],
    /// The table's `id`, for links and tests that point at it.
    #[prop(optional)]
    id: Option<&'static str>,
    /// A class beside `file-table`, for a table laid out its own way.
    #[prop(optional)]
    class: Option<&'static str>,
    children: Children,
) -> impl IntoView
where
    C: Fn() -> String + Send + Sync + 'static,
{
    let class = match class {
        Some(extra) => format!("file-table {extra}"),
        None => "file-table".to_owned(),
    };
    view! {
        <div class="table-scroll">
            <table class=class id=id>
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        {columns.iter().map(|column| view! {
                            <th scope="col" class=column.numeric.then_some("numeric")>
                                {if column.actions {
                                    view! { <span class="visually-hidden">{t(column.key)}</span> }.into_any()
                                } else {
                                    view! { {t(column.key)} }.into_any()
                                }}
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
