use leptos::prelude::*;

/// A small line icon, decorative (hidden from assistive technology): the text next to it says
/// what it means. Inline SVG, so it needs no icon font and no extra request.
#[derive(Debug, Clone, Copy)]
pub enum Icon {
    Lock,
    Globe,
    Devices,
    Code,
    Bell,
    Assistant,
}

impl Icon {
    fn path(self) -> &'static str {
        match self {
            Icon::Lock => "M7 11V7a5 5 0 0 1 10 0v4M5 11h14v10H5z",
            Icon::Globe => {
                "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z"
            }
            Icon::Devices => "M4 5h12v10H4zM2 19h16M18 9h4v10h-4z",
            Icon::Code => "M8 8l-4 4 4 4M16 8l4 4-4 4M14 5l-4 14",
            Icon::Bell => "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0",
            Icon::Assistant => "M4 5h16v11H9l-5 4zM8 9h8M8 12h5",
        }
    }
}

#[component]
pub fn IconSvg(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"
            fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
            <path d=icon.path()/>
        </svg>
    }
}
