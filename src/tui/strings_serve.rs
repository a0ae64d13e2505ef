//! What `kassa serve` says to a desk around its console, in Russian and English.

pub struct ServeStrings {
    /// Every console of the server is taken.
    pub full: &'static str,
    /// Too many refused logins from this address.
    pub closed_address: &'static str,
    /// Logged out after minutes (the number follows) without a key pressed.
    pub idle: &'static str,
    pub minutes: &'static str,
    /// The server is stopping.
    pub stopping: &'static str,
    /// The line a connection without a terminal gets.
    pub no_pty: &'static str,
}

pub static RU: ServeStrings = ServeStrings {
    full: "kassa: все рабочие места сервера заняты, попробуйте позже.",
    closed_address: "kassa: слишком много неудачных входов с этого адреса, попробуйте позже.",
    idle: "kassa: сеанс закрыт — не было нажатий",
    minutes: "мин.",
    stopping: "kassa: сервер останавливается, сеанс закрыт.",
    no_pty: "kassa: нужен терминал: подключайтесь через ssh -t.",
};

pub static EN: ServeStrings = ServeStrings {
    full: "kassa: every console of this server is taken; try again later.",
    closed_address: "kassa: too many refused logins from this address; try again later.",
    idle: "kassa: logged out after no key was pressed for",
    minutes: "min.",
    stopping: "kassa: the server is stopping; the session is closed.",
    no_pty: "kassa: a terminal is needed: connect with ssh -t.",
};

impl ServeStrings {
    pub fn of(lang: super::strings::Lang) -> &'static ServeStrings {
        match lang {
            super::strings::Lang::Ru => &RU,
            super::strings::Lang::En => &EN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_russian_texts_have_no_english_sentence() {
        for t in [RU.full, RU.closed_address, RU.idle, RU.minutes, RU.stopping, RU.no_pty] {
            let english: Vec<&str> = t
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 4 && *w != "kassa")
                .collect();
            assert!(english.is_empty(), "{t}: {english:?}");
        }
    }
}
