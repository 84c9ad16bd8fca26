//! Modelled engine time: an optional compute time per record that the emulator adds to every
//! evaluation, as wall time only.
//!
//! The emulator evaluates a small workbook in microseconds on the caller's own machine, so
//! against it every client is bound by the shared CPU. On Spark a record takes the engine
//! milliseconds (the platform's v4 and batch samples report `process_time` of 1 ms per record
//! for a two-input model; real pricing models take far longer), one worker evaluates a call's
//! records one after another, and calls run on separate workers. With a per-record time set:
//!
//! - a v3 call answers no sooner than one record time after it arrived, a v4 call no sooner
//!   than `records ×` that time; the wait is an async sleep, so it costs no CPU and concurrent
//!   calls overlap as they would on separate workers;
//! - each record's `process_time` is at least the modelled time (whole ms, rounded);
//! - a pushed batch chunk's results become pullable `records ×` the time after the push (each
//!   chunk on its own worker); until then the chunk counts as submitted, not completed.
//!
//! Off by default. Set it with [`crate::EmulatorConfig::engine_time_per_record`],
//! [`crate::EmulatorHandle::set_engine_time`] or `cspark-emulator --engine-ms-per-record MS`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest per-record time accepted (anything above is clamped): one minute.
pub const MAX_PER_RECORD: Duration = Duration::from_secs(60);

/// The current per-record engine time, changeable while serving.
#[derive(Debug, Default)]
pub(crate) struct EngineTime {
    /// Nanoseconds per record; 0 = off.
    nanos: AtomicU64,
}

impl EngineTime {
    /// Replace the per-record time (`None` or zero = off).
    pub fn set(&self, per_record: Option<Duration>) {
        let nanos = per_record
            .map(|d| d.min(MAX_PER_RECORD).as_nanos())
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0);
        self.nanos.store(nanos, Ordering::Relaxed);
    }

    /// The per-record time, if one is set.
    pub fn per_record(&self) -> Option<Duration> {
        match self.nanos.load(Ordering::Relaxed) {
            0 => None,
            n => Some(Duration::from_nanos(n)),
        }
    }

    /// Modelled time for `records` records evaluated one after another.
    pub fn for_records(&self, records: usize) -> Option<Duration> {
        let per = self.per_record()?;
        let n = u32::try_from(records).unwrap_or(u32::MAX);
        Some(per.checked_mul(n).unwrap_or(Duration::MAX))
    }

    /// A record's reported `process_time` (ms): the measured time, or the modelled one when
    /// that is longer.
    pub fn process_ms(&self, measured_ms: u64) -> u64 {
        match self.per_record() {
            None => measured_ms,
            Some(per) => measured_ms.max(rounded_ms(per)),
        }
    }

    /// Sleep until `records` modelled record times have passed since `started` (no-op when
    /// off or already past).
    pub async fn pace(&self, started: Instant, records: usize) {
        if let Some(total) = self.for_records(records) {
            let due = started.checked_add(total);
            if let Some(remaining) = due.and_then(|due| due.checked_duration_since(Instant::now()))
            {
                tokio::time::sleep(remaining).await;
            }
        }
    }

    /// When a chunk of `records` pushed at `pushed` becomes pullable (`None` = now).
    pub fn ready_at(&self, pushed: Instant, records: usize) -> Option<Instant> {
        self.for_records(records)
            .and_then(|total| pushed.checked_add(total))
    }
}

/// Whole milliseconds, rounded to nearest.
fn rounded_ms(d: Duration) -> u64 {
    u64::try_from((d.as_micros() + 500) / 1000).unwrap_or(u64::MAX)
}

/// Parse a per-record time given in milliseconds (`"1"`, `"0.25"`); zero means off.
/// Used by `--engine-ms-per-record`.
pub fn parse_ms(text: &str) -> Result<Duration, String> {
    let ms: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected milliseconds per record, got {text:?}"))?;
    if !ms.is_finite() || ms < 0.0 {
        return Err(format!(
            "expected a non-negative number of milliseconds, got {text:?}"
        ));
    }
    if ms > MAX_PER_RECORD.as_secs_f64() * 1000.0 {
        return Err(format!(
            "{text} ms per record is more than the {} s allowed",
            MAX_PER_RECORD.as_secs()
        ));
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    impl EngineTime {
        fn new(per_record: Option<Duration>) -> EngineTime {
            let time = EngineTime::default();
            time.set(per_record);
            time
        }
    }

    #[test]
    fn parses_milliseconds_and_names_bad_values() {
        assert_eq!(parse_ms("1"), Ok(Duration::from_millis(1)));
        assert_eq!(parse_ms(" 0.25 "), Ok(Duration::from_micros(250)));
        assert_eq!(parse_ms("0"), Ok(Duration::ZERO));
        for bad in ["-1", "NaN", "inf", "fast", "60001"] {
            let err = parse_ms(bad).unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn off_by_default_and_when_zero() {
        let t = EngineTime::new(None);
        assert_eq!(t.per_record(), None);
        assert_eq!(t.for_records(10), None);
        assert_eq!(t.process_ms(3), 3);
        t.set(Some(Duration::ZERO));
        assert_eq!(t.per_record(), None);
    }

    #[test]
    fn scales_with_records_and_raises_process_time() {
        let t = EngineTime::new(Some(Duration::from_micros(1500)));
        assert_eq!(t.for_records(4), Some(Duration::from_millis(6)));
        assert_eq!(t.process_ms(0), 2);
        assert_eq!(t.process_ms(7), 7);
        t.set(Some(Duration::from_secs(3600)));
        assert_eq!(t.per_record(), Some(MAX_PER_RECORD));
        assert!(t.for_records(usize::MAX).is_some());
    }
}
