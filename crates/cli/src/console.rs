//! Chinese on a Windows console, whatever its code page.
//!
//! A Chinese Windows console starts in code page 936 (GBK). Rust's standard library writes to a
//! console with `WriteConsoleW` (UTF-16), so everything this program prints through `print!`,
//! `eprint!` and `std::io::stdout()` reads right there in code page 936, 65001 or any other, with
//! no `chcp` and no `SetConsoleOutputCP`; redirected to a file or a pipe it is UTF-8, as on
//! Linux. rpassword reads a passphrase with `ReadConsoleW` (Chinese typed in reads right) but
//! writes its prompt to `CONOUT$` as UTF-8 bytes, which code page 936 shows garbled
//! (`请输入` as `璇疯緭鍏`): on Windows, when stderr is the console, the prompt goes through std's
//! stderr instead. Elsewhere rpassword prompts on the terminal as before.
//!
//! `scripts/test-windows` checks this under Wine in a console set to code page 936
//! (docs/install-windows.md, "The console").

use std::io::{IsTerminal, Write};

/// Where a passphrase prompt is written.
#[derive(Debug, PartialEq, Eq)]
enum PromptTo {
    /// Std's stderr, which a Windows console receives as UTF-16.
    Stderr,
    /// rpassword's own: the terminal (`/dev/tty`) on Unix, `CONOUT$` as bytes on Windows.
    Rpassword,
}

fn prompt_to(windows: bool, stderr_is_console: bool) -> PromptTo {
    if windows && stderr_is_console {
        PromptTo::Stderr
    } else {
        PromptTo::Rpassword
    }
}

/// Shows `prompt` and reads a line from the terminal without echo.
pub(crate) fn read_hidden(prompt: &str) -> std::io::Result<String> {
    match prompt_to(cfg!(windows), std::io::stderr().is_terminal()) {
        PromptTo::Stderr => {
            let mut stderr = std::io::stderr().lock();
            stderr.write_all(prompt.as_bytes())?;
            stderr.flush()?;
            drop(stderr);
            rpassword::read_password()
        }
        PromptTo::Rpassword => rpassword::prompt_password(prompt),
    }
}

#[cfg(test)]
mod tests {
    use super::{PromptTo, prompt_to};

    #[test]
    fn only_a_windows_console_gets_the_prompt_through_std() {
        assert_eq!(prompt_to(true, true), PromptTo::Stderr);
        // Stderr redirected on Windows: rpassword's CONOUT$ still reaches the person.
        assert_eq!(prompt_to(true, false), PromptTo::Rpassword);
        // Linux and the rest: unchanged.
        assert_eq!(prompt_to(false, true), PromptTo::Rpassword);
        assert_eq!(prompt_to(false, false), PromptTo::Rpassword);
    }
}
