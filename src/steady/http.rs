//! The steady-state session: sends Okta-shaped requests (Okta's headers, the run's credentials,
//! 429 handling as the engine does), records every exchange for the report, and reads a
//! resource back with bounded polling so eventually consistent servers show a lag, not a failure.

use crate::replay::client::{Client, Credentials, OutgoingRequest, TransportFailure};
use crate::replay::controls::Stop;
use crate::replay::exchange::Exchange;
use crate::replay::step::{StepSettings, send_with_rate_limit};
use crate::scenario::Method;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Interval between two polls of a read that waits for a write to show.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Where and how the session talks to the target.
pub struct Session {
    pub client: Client,
    pub base_url: String,
    pub credentials: Option<Credentials>,
    pub max_retry_wait: Duration,
    /// How long a read is re-sent until it shows a write (eventual consistency).
    pub read_settle: Duration,
    /// Every exchange of the current phase, in order.
    pub exchanges: Vec<Exchange>,
    /// Set when the target went away (unreachable, TLS): later requests are not sent.
    pub fatal: Option<TransportFailure>,
    /// The run's stop request (Ctrl-C, SIGTERM, `--deadline`).
    pub halt: Halt,
}

/// How a session obeys the run's stop request: once stopped, a request about to be sent is
/// never sent (the work [parks](Halt::parked) there, after the requests in flight finished)
/// except during clean-up, which may send until the stop's teardown budget is spent.
#[derive(Debug, Default)]
pub struct Halt {
    stop: Arc<Stop>,
    cleaning: AtomicBool,
    parked: Arc<tokio::sync::Notify>,
}

/// Ends a piece of work where it parked.
pub struct Guard(Arc<tokio::sync::Notify>);

impl Guard {
    /// Runs `work` until it is done (`true`) or parks at a request the stop holds back
    /// (`false`: `work` is dropped there, with no request in flight).
    pub async fn run(self, work: impl std::future::Future<Output = ()>) -> bool {
        let parked = self.0.notified();
        tokio::select! {
            () = work => true,
            () = parked => false,
        }
    }
}

impl From<Arc<Stop>> for Halt {
    fn from(stop: Arc<Stop>) -> Self {
        Halt {
            stop,
            ..Halt::default()
        }
    }
}

impl Halt {
    /// Whether the run was asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop.reason().is_some()
    }

    /// From now on requests are clean-up: sent until the teardown budget is spent.
    pub fn start_cleaning(&self) {
        self.cleaning.store(true, Ordering::SeqCst);
    }

    /// Whether the next request must not be sent.
    fn holds(&self) -> bool {
        match self.stop.teardown_left() {
            None => false,
            Some(left) => !self.cleaning.load(Ordering::SeqCst) || left.is_zero(),
        }
    }

    /// What runs a piece of the session's work until it parks (see [`Guard::run`]).
    pub fn guard(&self) -> Guard {
        Guard(self.parked.clone())
    }

    async fn park(&self) -> ! {
        self.parked.notify_waiters();
        std::future::pending().await
    }
}

/// A response reduced to what the steady-state checks read.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Session {
    /// Takes the exchanges recorded so far (the end of a phase).
    pub fn take_exchanges(&mut self) -> Vec<Exchange> {
        std::mem::take(&mut self.exchanges)
    }

    /// Sends one request as Okta would; a transport failure answers status 0.
    pub async fn send(&mut self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        if self.fatal.is_some() {
            return Reply::default();
        }
        if self.halt.holds() {
            self.halt.park().await;
        }
        let request = self.request(method, path, body);
        let settings =
            StepSettings::without_settle(&self.client, &self.base_url, self.max_retry_wait);
        let (exchanges, _, failure) = send_with_rate_limit(&request, &settings).await;
        let reply = exchanges.last().map_or_else(Reply::default, |e| Reply {
            status: e.status().unwrap_or(0),
            body: e.json().cloned(),
        });
        self.exchanges.extend(exchanges);
        if let Some(f @ (TransportFailure::Unreachable(_) | TransportFailure::Tls(_))) = failure {
            self.fatal = Some(f);
        }
        reply
    }

    /// `GET path` re-sent (bounded by `read_settle`) until `done` accepts it. Returns the last
    /// reply and how long it took for the read to be accepted (`None`: never within the bound).
    pub async fn read_until(
        &mut self,
        path: &str,
        done: impl Fn(&Reply) -> bool,
    ) -> (Reply, Option<Duration>) {
        let started = Instant::now();
        loop {
            let reply = self.send(Method::Get, path, None).await;
            if done(&reply) {
                return (reply, Some(started.elapsed()));
            }
            if self.fatal.is_some() || started.elapsed() + POLL_INTERVAL > self.read_settle {
                return (reply, None);
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    fn request(&self, method: Method, path: &str, body: Option<&Value>) -> OutgoingRequest {
        OutgoingRequest::okta(
            method,
            &self.base_url,
            path,
            self.credentials.as_ref(),
            body,
        )
    }
}

/// The `id` of a resource body.
/// An empty, `.` or `..` id is no id: it could only address the collection or a parent.
pub fn id_of(body: Option<&Value>) -> Option<String> {
    let id = body?.get("id")?.as_str()?;
    crate::scenario::template::unusable_segment(id)
        .is_none()
        .then(|| id.to_string())
}

/// The Resources of a ListResponse (empty when the body is not one).
pub fn resources(body: Option<&Value>) -> Vec<Value> {
    body.and_then(|b| b.get("Resources"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `totalResults` of a ListResponse, accepting a string count.
pub fn total_results(body: Option<&Value>) -> u64 {
    match body.and_then(|b| b.get("totalResults")) {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::controls::StopReason;

    #[test]
    fn a_stop_parks_the_work_at_its_next_request_and_lets_clean_up_through() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let stop = Stop::with_deadline(None);
        let halt = Halt::from(stop.clone());
        assert!(!halt.holds(), "nothing is held back before a stop");
        let done = rt.block_on(halt.guard().run(async {}));
        assert!(done, "work that needs no request finishes");
        stop.request(StopReason::Interrupt);
        assert!(halt.holds());
        let finished = rt.block_on(halt.guard().run(async {
            if halt.holds() {
                halt.park().await;
            }
        }));
        assert!(!finished, "the work ended where it parked");
        halt.start_cleaning();
        assert!(
            !halt.holds(),
            "clean-up may send within the teardown budget"
        );
    }
}
