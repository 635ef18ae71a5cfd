//! How far a long transfer is, on stderr: a bar on an interactive terminal (as `herald check`
//! shows), plain lines every few seconds elsewhere (CI logs, pipes), nothing when silenced.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a plain progress line is printed.
const LINE_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bar,
    Lines,
    Silent,
}

struct Step {
    what: String,
    unit: &'static str,
    total: Option<u64>,
    done: u64,
    started: Instant,
    last_line: Instant,
    bar: Option<indicatif::ProgressBar>,
}

/// Progress of one transfer, a step at a time (reading a file, writing versions...).
pub struct Progress {
    mode: Mode,
    step: Mutex<Option<Step>>,
}

impl Progress {
    /// A bar when stderr is a terminal outside CI, else plain lines.
    pub fn on_stderr() -> Progress {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            mode: if interactive { Mode::Bar } else { Mode::Lines },
            step: Mutex::new(None),
        }
    }

    /// Reports nothing.
    pub fn silent() -> Progress {
        Progress {
            mode: Mode::Silent,
            step: Mutex::new(None),
        }
    }

    /// Ends the current step and starts `what`, counting `unit`s up to `total` when known.
    pub fn start(&self, what: &str, unit: &'static str, total: Option<u64>) {
        self.finish();
        let bar = (self.mode == Mode::Bar).then(|| {
            let bar = match total {
                Some(total) => indicatif::ProgressBar::new(total),
                None => indicatif::ProgressBar::new_spinner(),
            };
            let template = match (total, unit) {
                (Some(_), "bytes") => "{msg} {bar:30} {bytes}/{total_bytes} ({eta} left)",
                (Some(_), _) => "{msg} {bar:30} {human_pos}/{human_len} ({per_sec}, {eta} left)",
                (None, _) => "{spinner} {msg} {human_pos}",
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_message(what.to_string());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        if self.mode == Mode::Lines {
            match total {
                Some(total) => eprintln!("{what}: 0/{total} {unit}"),
                None => eprintln!("{what}"),
            }
        }
        let now = Instant::now();
        *self.step.lock().unwrap() = Some(Step {
            what: what.to_string(),
            unit,
            total,
            done: 0,
            started: now,
            last_line: now,
            bar,
        });
    }

    /// Counts `n` more units of the current step.
    pub fn advance(&self, n: u64) {
        let mut step = self.step.lock().unwrap();
        let Some(step) = step.as_mut() else {
            return;
        };
        step.done += n;
        if let Some(bar) = &step.bar {
            bar.inc(n);
        }
        if self.mode == Mode::Lines && step.last_line.elapsed() >= LINE_EVERY {
            step.last_line = Instant::now();
            let secs = step.started.elapsed().as_secs();
            match step.total {
                Some(total) => eprintln!(
                    "{}: {}/{total} {} ({}%), {secs} s",
                    step.what,
                    step.done,
                    step.unit,
                    step.done * 100 / total.max(1)
                ),
                None => eprintln!("{}: {} {}, {secs} s", step.what, step.done, step.unit),
            }
        }
    }

    /// Ends the current step, saying how long it took.
    pub fn finish(&self) {
        let Some(step) = self.step.lock().unwrap().take() else {
            return;
        };
        if let Some(bar) = step.bar {
            bar.finish_and_clear();
        }
        if self.mode != Mode::Silent {
            eprintln!(
                "{}: {} {} in {:.1} s",
                step.what,
                step.done,
                step.unit,
                step.started.elapsed().as_secs_f64()
            );
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // A step cut short by an error leaves no bar behind on the terminal.
        if let Some(step) = self.step.lock().unwrap().take() {
            if let Some(bar) = step.bar {
                bar.finish_and_clear();
            }
        }
    }
}
