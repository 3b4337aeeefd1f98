//! The RUCKUS One call bucket: calls per minute per tenant. A burst drains this MSP's bucket:
//! the 429 must come when the calls the case made say it is empty, carry `Retry-After`, and a
//! call must succeed once the clock moved by it.

use crate::properties::harness::R;
use crate::properties::ruckus::MAX_DRAIN;
use crate::properties::ruckus::case::Case;

/// Calls the count of this MSP's calls may be off by (a retried request, a token renewal).
const SLACK: u64 = 3;

impl Case<'_> {
    /// Calls the case made on this MSP's bucket so far.
    fn calls_used(&self) -> u64 {
        (self.wire.stats.requests + self.session.token_fetch_count())
            .saturating_sub(self.foreign_calls)
    }

    /// A [`crate::properties::ruckus::Step::Burst`] (needs the admin API and a bucket of at
    /// most [`MAX_DRAIN`] calls).
    pub(crate) async fn burst(&mut self) -> R<()> {
        let (Some(limit), true) = (self.timing.limit, self.admin.is_some()) else {
            self.wire.stats.skipped_steps += 1;
            return Ok(());
        };
        let limit = u64::from(limit);
        if limit > MAX_DRAIN {
            self.wire.stats.skipped_steps += 1;
            return Ok(());
        }
        let used = self.calls_used();
        let mut elapsed = self.advanced;
        if !self.timing.manual {
            elapsed += self.started.elapsed().as_secs_f64();
        }
        let refill = (elapsed * limit as f64 / 60.0).ceil() as u64;
        let fewest = limit.saturating_sub(used + SLACK);
        let most = (limit.saturating_sub(used) + refill).min(limit) + SLACK;
        let once = self.once.clone();
        let mut ok = 0u64;
        let throttled = loop {
            let resp = self
                .wire
                .through(&once, "get_own_tenant", self.tenant.get_own_tenant().send())
                .await?;
            match resp.status {
                200 if ok < most => ok += 1,
                200 => {
                    self.wire.stats.check("rate.limit");
                    return Err(self.wire.fail(
                        "rate.limit",
                        format!(
                            "{} calls went through with {used} made before, from a bucket of \
                             {limit} a minute: no 429",
                            ok + 1
                        ),
                    ));
                }
                429 => break resp,
                _ => {
                    return self.wire.expect(
                        &resp,
                        &[200, 429],
                        "rate.limit",
                        "draining the bucket",
                    );
                }
            }
        };
        self.wire.stats.check("rate.limit");
        if ok < fewest {
            return Err(self.wire.fail(
                "rate.limit",
                format!(
                    "429 after {ok} calls, with {used} made before, from a bucket of {limit} a \
                     minute (at least {fewest} should pass)"
                ),
            ));
        }
        let retry = throttled
            .retry_after
            .as_deref()
            .and_then(|r| r.trim().parse::<u64>().ok());
        let Some(retry) = retry.filter(|r| (1..=60).contains(r)) else {
            return Err(self.wire.fail(
                "rate.limit",
                format!(
                    "a 429 must say when to retry (Retry-After: 1 to 60 s), got {:?}",
                    throttled.retry_after
                ),
            ));
        };
        self.advance(retry as f64).await?;
        let resp = self
            .wire
            .through(&once, "get_own_tenant", self.tenant.get_own_tenant().send())
            .await?;
        self.wire.expect(
            &resp,
            &[200],
            "rate.limit",
            &format!("a call {retry} s after a 429 that said Retry-After: {retry}"),
        )?;
        // A full bucket again for the steps that follow.
        self.advance(60.0).await
    }
}
