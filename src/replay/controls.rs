//! Run-wide controls every step in flight consults: the adaptive `--read-settle` (failing
//! reads are re-sent only while the target may still be catching up with a write) and the stop
//! request (`--deadline`, Ctrl-C, SIGTERM) after which no new step is sent and only clean-up
//! runs, itself bounded by [`TEARDOWN_BUDGET`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
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
    /// A re-sent read showed the write this long after its first send: the target is
    /// eventually consistent, with about this lag.
    Converged(Duration),
}

/// The adaptive read-settle. Before any write there is nothing to wait for; once the target
/// has shown that writes are immediate or that waiting does not help, failing reads are no
/// longer re-sent. On an eventually consistent target it learns the lag
/// ([`SettleObservation::Converged`]), so that later reads wait about that long once instead of
/// polling from scratch ([`Settle::lag`]).
#[derive(Debug, Default)]
pub struct Settle {
    wrote: AtomicBool,
    decided: AtomicBool,
    /// The lag of the latest converged read, in microseconds (0: none yet).
    lag_micros: AtomicU64,
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

    pub fn observe(&self, what: SettleObservation) {
        match what {
            SettleObservation::Converged(lag) => {
                let micros = u64::try_from(lag.as_micros()).unwrap_or(u64::MAX).max(1);
                self.lag_micros.store(micros, Ordering::Relaxed);
            }
            SettleObservation::Immediate | SettleObservation::Exhausted => {
                self.decided.store(true, Ordering::Relaxed);
            }
        }
    }

    /// The lag the target has shown so far (`None` before a read converged).
    pub fn lag(&self) -> Option<Duration> {
        match self.lag_micros.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(micros)),
        }
    }
}

/// When a failing settling read is re-sent, `sent` after its first send and after `sends`
/// sends: without a learned `lag`, every `interval`; with one, first once the lag has passed
/// (the write cannot show before), then in steps of a tenth of it (10 ms to `interval`). A
/// converged read reports the middle between its last failing and its passing send, so the
/// learned lag follows the target's real one rather than the polling's overshoot.
pub fn resend_pause(
    lag: Option<Duration>,
    interval: Duration,
    sent: Duration,
    sends: u32,
) -> Duration {
    let Some(lag) = lag else {
        return interval;
    };
    let step = (lag / 10).clamp(
        Duration::from_millis(10),
        interval.max(Duration::from_millis(10)),
    );
    if sends == 1 {
        lag.saturating_sub(sent).max(step.min(interval))
    } else {
        step
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
            StopReason::Interrupt => crate::exit::INTERRUPTED,
            StopReason::Terminate => crate::exit::TERMINATED,
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
    fn a_converged_read_teaches_the_lag_without_ending_the_settle() {
        let settle = Settle::default();
        let two = Duration::from_secs(2);
        settle.note_write();
        assert_eq!(settle.lag(), None);
        settle.observe(SettleObservation::Converged(Duration::from_millis(300)));
        assert_eq!(settle.lag(), Some(Duration::from_millis(300)));
        assert_eq!(settle.period(two), two, "reads are still re-sent");
    }

    #[test]
    fn a_learned_lag_is_waited_once_then_polled_in_tenths() {
        let ms = Duration::from_millis;
        let interval = ms(100);
        assert_eq!(resend_pause(None, interval, ms(1), 1), interval);
        assert_eq!(resend_pause(Some(ms(300)), interval, ms(2), 1), ms(298));
        assert_eq!(resend_pause(Some(ms(300)), interval, ms(280), 2), ms(30));
        // a short lag never makes the polling faster than 10 ms
        assert_eq!(resend_pause(Some(ms(20)), interval, ms(0), 2), ms(10));
        // nor slower than the interval the step asked for
        assert_eq!(resend_pause(Some(ms(5000)), interval, ms(0), 2), interval);
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
