//! RUCKUS One end-of-case checks: every activity ends within the model's bound (the mock clock
//! is moved past it; without the admin API the case polls), each with the predicted outcome,
//! then the whole listing in pages against the model and the other MSP's query.

use std::time::{Duration, Instant};

use super::case::{Case, UNKNOWN_BOUND};
use crate::properties::harness::R;

impl Case<'_> {
    /// The end-of-case checks.
    pub(crate) async fn final_checks(&mut self) -> R<()> {
        if self.admin.is_some() {
            let (_, latest) = self.timing.end_range();
            self.advance(latest + self.timing.margin() + 1.0).await?;
        } else {
            self.wait_for_activities().await?;
        }
        self.settle_certain();
        let ids: Vec<String> = self
            .model
            .done
            .iter()
            .map(|(a, _)| a.id.clone())
            .chain(self.model.in_flight.iter().map(|a| a.id.clone()))
            .collect();
        for id in &ids {
            self.poll_activity(id).await?;
        }
        self.check_every_page().await?;
        self.foreign_sees_none().await
    }

    /// Without the admin API: polls each in-flight activity until it ends or the bound passes
    /// (real time).
    async fn wait_for_activities(&mut self) -> R<()> {
        let deadline = Instant::now() + Duration::from_secs_f64(UNKNOWN_BOUND);
        while let Some(id) = self.model.in_flight.first().map(|a| a.id.clone()) {
            if self.poll_activity(&id).await? {
                continue;
            }
            if Instant::now() > deadline {
                // The poll past the bound reports the activity that never ended.
                self.poll_activity(&id).await?;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }
}
