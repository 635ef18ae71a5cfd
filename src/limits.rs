//! Work and nesting budgets for everything a request controls, and the pool that runs
//! CPU-heavy work (parse, compatibility, validation, diff, decode) off the async workers.
//!
//! Walkers over user-controlled structure call [`spend`] once per step and [`deeper`] when they
//! descend; both answer `false` once the current budget is used up, and the walker then stops
//! and returns what it has. [`bounded`] runs a job under a fresh budget and turns an exhausted
//! one into [`Error::TooComplex`], whatever partial answer the job produced. Outside `bounded`
//! (the CLI, unit tests) nothing is counted.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{Error, Result};

/// Steps of work one request may spend on a schema or payload (a step is one node visited,
/// one pair of branches compared, one byte group decoded). Real schemas, SchemaStore's largest
/// among them, need well under a million.
pub const DEFAULT_WORK: u64 = 20_000_000;

/// Nesting levels a walk may descend: records in records, arrays in objects, `$ref` chains.
/// Avro schemas 100 records deep need about 300 JSON levels.
pub const MAX_NESTING: usize = 1_000;

static WORK: AtomicU64 = AtomicU64::new(DEFAULT_WORK);

/// Sets the work budget of every later job (`--max-work`).
pub fn set_work_limit(steps: u64) {
    WORK.store(steps.max(1), Ordering::Relaxed);
}

pub fn work_limit() -> u64 {
    WORK.load(Ordering::Relaxed)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Exhausted {
    No,
    Work,
    Depth,
    Cancelled,
}

struct Budget {
    left: Cell<u64>,
    active: Cell<bool>,
    exhausted: Cell<Exhausted>,
    cancelled: std::cell::RefCell<Option<Arc<AtomicBool>>>,
}

thread_local! {
    static BUDGET: Budget = const {
        Budget {
            left: Cell::new(0),
            active: Cell::new(false),
            exhausted: Cell::new(Exhausted::No),
            cancelled: std::cell::RefCell::new(None),
        }
    };
}

/// Spends `steps` of the current budget; `false` once it is gone (stop walking).
pub fn spend(steps: u64) -> bool {
    BUDGET.with(|b| {
        if !b.active.get() {
            return true;
        }
        if b.exhausted.get() != Exhausted::No {
            return false;
        }
        let left = b.left.get();
        if left < steps {
            b.exhausted.set(Exhausted::Work);
            return false;
        }
        let next = left - steps;
        b.left.set(next);
        // Checked now and then rather than per step: a client that left needs no answer.
        if next / 4096 != left / 4096 {
            let cancelled = b
                .cancelled
                .borrow()
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed));
            if cancelled {
                b.exhausted.set(Exhausted::Cancelled);
                return false;
            }
        }
        true
    })
}

/// Whether a walk may go to nesting level `depth`; `false` (and the budget spent) past
/// [`MAX_NESTING`].
pub fn deeper(depth: usize) -> bool {
    if depth <= MAX_NESTING {
        return spend(1);
    }
    BUDGET.with(|b| {
        if b.active.get() && b.exhausted.get() == Exhausted::No {
            b.exhausted.set(Exhausted::Depth);
        }
    });
    false
}

/// Whether the current budget ran out (always `false` outside [`bounded`]).
pub fn exhausted() -> bool {
    BUDGET.with(|b| b.active.get() && b.exhausted.get() != Exhausted::No)
}

/// Runs `job` under a fresh budget of [`work_limit`] steps on this thread.
pub fn bounded<T>(job: impl FnOnce() -> Result<T>) -> Result<T> {
    bounded_with(work_limit(), None, job)
}

fn bounded_with<T>(
    steps: u64,
    cancelled: Option<Arc<AtomicBool>>,
    job: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let outer = BUDGET.with(|b| {
        let saved = (b.left.get(), b.active.get(), b.exhausted.get());
        b.left.set(steps);
        b.active.set(true);
        b.exhausted.set(Exhausted::No);
        *b.cancelled.borrow_mut() = cancelled;
        saved
    });
    let result = job();
    let state = BUDGET.with(|b| {
        let state = b.exhausted.get();
        b.left.set(outer.0);
        b.active.set(outer.1);
        b.exhausted.set(outer.2);
        *b.cancelled.borrow_mut() = None;
        state
    });
    match state {
        Exhausted::No => result,
        Exhausted::Work => Err(Error::TooComplex(format!(
            "it needs more than {steps} steps of work (the limit)"
        ))),
        Exhausted::Depth => Err(Error::TooComplex(format!(
            "it nests deeper than {MAX_NESTING} levels (the limit)"
        ))),
        Exhausted::Cancelled => Err(Error::Timeout("the client went away".into())),
    }
}

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    queue: Mutex<std::sync::mpsc::Sender<Job>>,
}

/// Stack of each pool thread: deep but legitimate schemas recurse far more than an async
/// worker's 2 MiB allows.
const POOL_STACK: usize = 256 * 1024 * 1024;

static POOL: OnceLock<Pool> = OnceLock::new();

/// One thread per core, started with the first job.
fn pool() -> &'static Pool {
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("herald-work-{i}"))
                .stack_size(POOL_STACK)
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
                .expect("spawn a work thread");
        }
        Pool {
            queue: Mutex::new(tx),
        }
    })
}

/// Sets the flag when the awaiting request is dropped (timed out, or the client left).
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `job` on the work pool under a fresh budget and awaits its answer. A panic in the job
/// becomes [`Error::Internal`]; a request dropped while waiting cancels the job at its next
/// budget check.
pub async fn offload<T, F>(job: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    let cancelled = Arc::new(AtomicBool::new(false));
    let guard = CancelOnDrop(cancelled.clone());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let pool = pool();
    let steps = work_limit();
    let work: Job = Box::new(move || {
        let result = if cancelled.load(Ordering::Relaxed) {
            Err(Error::Timeout("the client went away".into()))
        } else {
            let flag = cancelled.clone();
            std::panic::catch_unwind(AssertUnwindSafe(|| bounded_with(steps, Some(flag), job)))
                .unwrap_or_else(|panic| Err(Error::internal_panic(panic.as_ref())))
        };
        let _ = tx.send(result);
    });
    let sent = pool
        .queue
        .lock()
        .map_err(|_| Error::Internal("the work pool is gone".into()))?
        .send(work)
        .is_ok();
    if !sent {
        return Err(Error::Internal("the work pool is gone".into()));
    }
    let answer = rx
        .await
        .unwrap_or_else(|_| Err(Error::Internal("a work thread stopped".into())));
    drop(guard);
    answer
}

/// Nesting depth of JSON text, counted without parsing (strings skipped), so text too deep to
/// parse safely is refused before a recursive parser sees it.
pub fn json_nesting(text: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Parses JSON text of any nesting up to [`MAX_NESTING`] (serde_json alone stops at 128, which
/// refuses Avro schemas ~40 records deep); deeper text is [`Error::TooComplex`].
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    if json_nesting(text) > MAX_NESTING {
        return Err(JsonError::TooDeep);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de).map_err(JsonError::Syntax)?;
    de.end().map_err(JsonError::Syntax)?;
    Ok(value)
}

/// Why [`parse_json`] refused a text.
#[derive(Debug)]
pub enum JsonError {
    Syntax(serde_json::Error),
    TooDeep,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Syntax(e) => e.fmt(f),
            JsonError::TooDeep => write!(f, "it nests deeper than {MAX_NESTING} levels"),
        }
    }
}

impl From<JsonError> for Error {
    fn from(e: JsonError) -> Self {
        match e {
            JsonError::TooDeep => Error::TooComplex(format!(
                "it nests deeper than {MAX_NESTING} levels (the limit)"
            )),
            JsonError::Syntax(e) => Error::InvalidSchema(format!("not valid JSON: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_budget_is_an_error_whatever_the_job_answers() {
        let r = bounded_with(10, None, || {
            let mut n = 0;
            while spend(1) {
                n += 1;
            }
            Ok(n)
        });
        assert!(matches!(r, Err(Error::TooComplex(_))), "{r:?}");
        assert!(bounded_with(10, None, || Ok(spend(5))).unwrap());
    }

    #[test]
    fn depth_past_the_limit_is_refused() {
        let r = bounded_with(1_000_000, None, || Ok(deeper(MAX_NESTING + 1)));
        assert!(matches!(r, Err(Error::TooComplex(m)) if m.contains("nests deeper")));
    }

    #[test]
    fn nothing_is_counted_outside_a_budget() {
        assert!(spend(u64::MAX));
        assert!(!exhausted());
    }

    #[test]
    fn nesting_skips_strings() {
        assert_eq!(json_nesting(r#"{"a":"[[[{{{\"]]","b":[[1]]}"#), 3);
        let deep = format!("{}{}", "[".repeat(600), "]".repeat(600));
        assert!(parse_json::<serde_json::Value>(&deep).is_ok());
        let too_deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
        assert!(matches!(
            parse_json::<serde_json::Value>(&too_deep),
            Err(JsonError::TooDeep)
        ));
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_internal_error() {
        let r: Result<()> = offload(|| panic!("boom")).await;
        assert!(matches!(r, Err(Error::Internal(m)) if m.contains("boom")));
    }
}
