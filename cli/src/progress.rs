//! A spinner on stderr while a long operation (job, compilation, download) runs; hidden
//! when stderr is not a terminal, so pipes and CI logs get no control characters.

use std::future::Future;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs `work` with a spinner showing `message`; the spinner is cleared when it ends.
pub async fn spin<T>(message: impl Into<String>, work: impl Future<Output = T>) -> T {
    let bar = spinner(message.into());
    let out = work.await;
    bar.finish_and_clear();
    out
}

fn spinner(message: String) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
