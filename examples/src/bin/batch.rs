//! Typed records through the asynchronous Batch API: 5,000 cylinders pushed and pulled
//! concurrently, every output checked and counted once.
//!
//! Run with: cargo run -p cspark-examples --bin batch
//!
//! By default it starts the embedded emulator with the bundled demo workbooks; with
//! `CSPARK_BASE_URL` and credentials set, it runs against that tenant, which must have
//! `demo/volume-cylinder` published.

use std::time::Instant;

use cspark::batches::RunOptions;
use cspark_examples::spark::demo_volume_cylinder as volume;
use cspark_examples::target::Target;

const RECORDS: usize = 5_000;

fn cylinder(i: usize) -> volume::Inputs {
    volume::Inputs {
        radius: 1.0 + (i % 25) as f64 * 0.5,
        height: 1.0 + (i % 10) as f64,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = Target::from_env().await?;
    println!(
        "cspark batch: {RECORDS} typed records on the {}",
        target.describe()
    );
    let started = Instant::now();

    let mut run = target
        .client
        .run_typed_batch((0..RECORDS).map(cylinder), &RunOptions::default())
        .await?;
    println!("  batch {}", run.batch_id());

    let mut progress = run.progress();
    let reporter = tokio::spawn(async move {
        let mut printed = 0;
        while progress.changed().await.is_ok() {
            let p = *progress.borrow();
            if p.done {
                break;
            }
            if p.processed / 1_000 > printed {
                printed = p.processed / 1_000;
                println!("  {} / {} records processed", p.processed, p.submitted);
            }
        }
    });

    let (mut seen, mut total_volume, mut largest) = (vec![false; RECORDS], 0.0, (0, 0.0));
    let mut mismatches = 0;
    while let Some(item) = run.recv().await {
        let (index, outputs) = item?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(format!("record #{index} came back twice").into());
        }
        let volume = outputs.volume.unwrap_or(f64::NAN);
        let c = cylinder(index);
        let expected = std::f64::consts::PI * c.radius * c.radius * c.height;
        if (volume - expected).abs() > 1e-9 * expected {
            mismatches += 1;
        }
        total_volume += volume;
        if volume > largest.1 {
            largest = (index, volume);
        }
    }
    reporter.abort();
    let missing = seen.iter().filter(|s| !**s).count();
    let p = *run.progress().borrow();
    let elapsed = started.elapsed();

    println!("summary");
    println!(
        "  records       {RECORDS} sent, {} returned, {missing} missing",
        p.processed
    );
    println!(
        "  chunks        {} pushed, {} re-pushed, {} duplicate results dropped",
        p.chunks_pushed, p.chunks_repushed, p.duplicates_dropped
    );
    println!("  total volume  {total_volume:.3}");
    println!("  largest       #{} = {:.3}", largest.0, largest.1);
    println!("  mismatches    {mismatches} (against π·r²·h computed here)");
    println!(
        "  time          {elapsed:.2?} ({:.0} records/s)",
        RECORDS as f64 / elapsed.as_secs_f64()
    );
    target.shutdown().await;
    if missing > 0 || mismatches > 0 {
        return Err("the batch did not return every record correctly".into());
    }
    Ok(())
}
