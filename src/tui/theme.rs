//! Colours by meaning, not by screen. With `NO_COLOR` every role keeps only its modifiers
//! (bold, reversed, underlined), and no meaning is carried by colour alone anyway: a debt is
//! also written with a minus sign and the word for debt.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub normal: Style,
    pub dim: Style,
    pub title: Style,
    pub accent: Style,
    pub selected: Style,
    pub error: Style,
    pub ok: Style,
    pub warn: Style,
    pub key: Style,
    pub input: Style,
}

impl Theme {
    /// The 16-colour theme, or the colourless one when `no_color`.
    pub fn new(no_color: bool) -> Theme {
        if no_color {
            let plain = Style::default();
            return Theme {
                normal: plain,
                dim: plain,
                title: plain.add_modifier(Modifier::BOLD),
                accent: plain.add_modifier(Modifier::BOLD),
                selected: plain.add_modifier(Modifier::REVERSED),
                error: plain.add_modifier(Modifier::BOLD),
                ok: plain.add_modifier(Modifier::BOLD),
                warn: plain.add_modifier(Modifier::UNDERLINED),
                key: plain.add_modifier(Modifier::BOLD),
                input: plain.add_modifier(Modifier::UNDERLINED),
            };
        }
        Theme {
            normal: Style::default(),
            dim: Style::default().fg(Color::DarkGray),
            title: Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            accent: Style::default().fg(Color::Cyan),
            selected: Style::default().fg(Color::Black).bg(Color::Cyan),
            error: Style::default().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            ok: Style::default().fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            warn: Style::default().fg(Color::Yellow),
            key: Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            input: Style::default().add_modifier(Modifier::UNDERLINED),
        }
    }

    /// From the environment: `NO_COLOR` set (to anything) turns colour off, and so does a
    /// terminal without colours (`TERM` dumb, vt52, vt100, vt102, vt220). Every other terminal
    /// gets the sixteen colours in their classic codes (see `sgr`).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").map(|v| v.to_string_lossy().into_owned());
        Theme::for_terminal(&std::env::var("TERM").unwrap_or_default(), no_color.as_deref())
    }

    /// For a terminal called `term` with `NO_COLOR` as given (this process's, or what an SSH
    /// client sent): colour off for a set `NO_COLOR` or a terminal without colours.
    pub fn for_terminal(term: &str, no_color: Option<&str>) -> Theme {
        Theme::new(no_color.is_some_and(|v| !v.is_empty()) || !has_colour(term))
    }
}

/// Whether a terminal called `term` shows colours at all.
pub fn has_colour(term: &str) -> bool {
    !matches!(term, "dumb" | "vt52" | "vt100" | "vt102" | "vt220" | "vt320")
}
