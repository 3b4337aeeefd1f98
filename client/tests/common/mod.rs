//! Helpers shared by the client's tests against the in-process mock.

use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use msp_client::TimeSource;
use msp_mock_server::Clock;

/// The client and the mock on one clock: the client's waits move the mock's time.
#[derive(Debug)]
pub struct SharedClock(pub Clock);

impl TimeSource for SharedClock {
    fn now(&self) -> SystemTime {
        SystemTime::from(self.0.now())
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.0.advance(duration.as_secs_f64());
        Box::pin(tokio::task::yield_now())
    }
}
