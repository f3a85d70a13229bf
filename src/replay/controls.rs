//! Run-wide controls every step in flight consults: the adaptive `--read-settle` (failing
//! reads are re-sent only while the target may still be catching up with a write) and the stop
//! request (`--deadline`, Ctrl-C, SIGTERM) after which no new step is sent and only clean-up
//! runs, itself bounded by [`TEARDOWN_BUDGET`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// How long clean-up may take once the run was asked to stop.
pub const TEARDOWN_BUDGET: Duration = Duration::from_secs(10);

/// What a settled read taught the run about the target's consistency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettleObservation {
    /// A read right after a create already showed it: writes show up immediately.
    Immediate,
    /// A read stayed wrong for the whole settle period: waiting does not help here.
    Exhausted,
}

/// The adaptive read-settle. Before any write there is nothing to wait for; once the target
/// has shown one of the [`SettleObservation`]s, failing reads are no longer re-sent.
#[derive(Debug, Default)]
pub struct Settle {
    wrote: AtomicBool,
    decided: AtomicBool,
}

impl Settle {
    /// The settle period a read gets now: `configured` while it may still help, else zero.
    pub fn period(&self, configured: Duration) -> Duration {
        if self.wrote.load(Ordering::Relaxed) && !self.decided.load(Ordering::Relaxed) {
            configured
        } else {
            Duration::ZERO
        }
    }

    /// A write of the run succeeded.
    pub fn note_write(&self) {
        self.wrote.store(true, Ordering::Relaxed);
    }

    pub fn observe(&self, _what: SettleObservation) {
        self.decided.store(true, Ordering::Relaxed);
    }
}

/// Why a run stops before replaying everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// `--deadline` passed.
    Deadline,
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl StopReason {
    /// The exit code of a run stopped for this reason.
    pub fn exit_code(self) -> u8 {
        match self {
            StopReason::Deadline => crate::exit::TARGET,
            StopReason::Interrupt => 130,
            StopReason::Terminate => 143,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            StopReason::Deadline => "the --deadline passed",
            StopReason::Interrupt => "interrupted (Ctrl-C)",
            StopReason::Terminate => "terminated (SIGTERM)",
        }
    }

    fn code(self) -> u8 {
        self as u8 + 1
    }

    fn from_code(code: u8) -> Option<Self> {
        [Self::Deadline, Self::Interrupt, Self::Terminate]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// A stop request shared between the engine and whoever asks it to stop (signal handler,
/// deadline). The first request wins.
#[derive(Debug, Default)]
pub struct Stop {
    reason: AtomicU8,
    deadline: Option<Instant>,
    /// When clean-up must be over, set when the stop is first seen.
    teardown_until: std::sync::OnceLock<Instant>,
}

impl Stop {
    /// A stop request that also fires by itself once `deadline` has passed.
    pub fn with_deadline(deadline: Option<Duration>) -> Arc<Self> {
        Arc::new(Stop {
            deadline: deadline.map(|d| Instant::now() + d),
            ..Stop::default()
        })
    }

    /// Asks the run to stop; returns false when it had already been asked.
    pub fn request(&self, reason: StopReason) -> bool {
        self.reason
            .compare_exchange(0, reason.code(), Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// Why the run must stop, if it must.
    pub fn reason(&self) -> Option<StopReason> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.request(StopReason::Deadline);
        }
        let reason = StopReason::from_code(self.reason.load(Ordering::SeqCst))?;
        self.teardown_until
            .get_or_init(|| Instant::now() + TEARDOWN_BUDGET);
        Some(reason)
    }

    /// Time left for clean-up once stopped (`None` while the run goes on).
    pub fn teardown_left(&self) -> Option<Duration> {
        self.reason()?;
        let until = *self.teardown_until.get()?;
        Some(until.saturating_duration_since(Instant::now()))
    }
}

static ANNOUNCED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

/// Tells the user, on stderr and once per `kind` per process, why the run is waiting (a 429
/// back-off, a read settle): a wait over a second never goes unexplained.
pub fn announce(kind: &'static str, message: &str) {
    let mut seen = ANNOUNCED.lock().unwrap_or_else(|e| e.into_inner());
    if !seen.contains(&kind) {
        seen.push(kind);
        eprintln!("note: {message}");
    }
}

/// Everything run-wide that changes while the run goes on.
#[derive(Debug, Default)]
pub struct Controls {
    pub settle: Settle,
    pub stop: Arc<Stop>,
    /// Replay every scenario even when Okta's connection test fails (`--keep-going`).
    pub keep_going: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_waits_only_between_the_first_write_and_the_first_observation() {
        let settle = Settle::default();
        let two = Duration::from_secs(2);
        assert_eq!(settle.period(two), Duration::ZERO);
        settle.note_write();
        assert_eq!(settle.period(two), two);
        settle.observe(SettleObservation::Immediate);
        assert_eq!(settle.period(two), Duration::ZERO);
    }

    #[test]
    fn the_first_stop_request_wins_and_a_deadline_fires_by_itself() {
        let stop = Stop::with_deadline(None);
        assert_eq!(stop.reason(), None);
        assert!(stop.request(StopReason::Interrupt));
        assert!(!stop.request(StopReason::Terminate));
        assert_eq!(stop.reason(), Some(StopReason::Interrupt));
        assert!(stop.teardown_left().is_some());
        let late = Stop::with_deadline(Some(Duration::ZERO));
        assert_eq!(late.reason(), Some(StopReason::Deadline));
        assert_eq!(StopReason::Terminate.exit_code(), 143);
    }
}
