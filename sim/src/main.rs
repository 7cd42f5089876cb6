//! `xchat-sim`: runs the adversarial simulation (issue 13, part 1), shows
//! progress on stderr, writes the JSON report and exits non-zero if any
//! invariant failed.
//!
//! ```text
//! xchat-sim [--seed N] [--accounts N] [--group-size N] [--messages N]
//!           [--max-batch N] [--threads N] [--faults default|none] [--fault NAME=RATE]... [--out PATH]
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use xchat_sim::{run, Config, Faults};

/// Counts live heap bytes and their peak (the whole process: every
/// account, the relay's queues and the oracle).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` with the same arguments; the
// counters are atomics and allocate nothing.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `System.alloc`, with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `System.alloc_zeroed`, with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn usage() -> ExitCode {
    eprintln!(
        "usage: xchat-sim [--seed N] [--accounts N] [--group-size N] [--messages N] \
         [--max-batch N] [--threads N] [--faults default|none] [--fault NAME=RATE]... [--out PATH]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut config = Config::new(1, 10_000);
    let mut out = String::from("sim-report.json");
    let mut threads = 0usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let Some(value) = args.get(i + 1) else {
            return usage();
        };
        let num = value.parse::<u64>().ok();
        match (args[i].as_str(), num) {
            ("--seed", Some(n)) => config.seed = n,
            ("--accounts", Some(n)) => config.accounts = n as usize,
            ("--group-size", Some(n)) => config.group_size = n as usize,
            ("--messages", Some(n)) => config.messages = n,
            ("--max-batch", Some(n)) => config.max_batch = (n as usize).max(1),
            ("--threads", Some(n)) => threads = n as usize,
            ("--faults", _) if value == "none" => config.faults = Faults::NONE,
            ("--faults", _) if value == "default" => config.faults = Faults::DEFAULT,
            ("--fault", _) => match value.split_once('=') {
                Some((name, rate)) => match (rate.parse::<f64>(), config.faults.set(name, 0.0)) {
                    (Ok(r), Some(_)) => {
                        config.faults = config.faults.set(name, r).unwrap_or(config.faults)
                    }
                    _ => return usage(),
                },
                None => return usage(),
            },
            ("--out", _) => out = value.clone(),
            _ => return usage(),
        }
        i += 2;
    }
    if threads > 0 {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
        {
            eprintln!("xchat-sim: {e}");
            return ExitCode::from(2);
        }
    }
    let progress = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let total = config.messages;
    let start = Instant::now();
    let shower = {
        let (progress, done) = (Arc::clone(&progress), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let n = progress.load(Ordering::Relaxed);
                let pct = (n * 100).checked_div(total).unwrap_or(100).min(100);
                let bar = "#".repeat((pct / 4) as usize);
                let secs = start.elapsed().as_secs_f64();
                let rate = if secs > 0.0 { n as f64 / secs } else { 0.0 };
                eprint!(
                    "\r[{bar:<25}] {pct:>3}% {n}/{total} messages, {rate:.0}/s, heap peak {} MiB ",
                    PEAK.load(Ordering::Relaxed) >> 20
                );
                let _ = std::io::stderr().flush();
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    let report = run(&config, &progress);
    done.store(true, Ordering::Relaxed);
    let _ = shower.join();
    eprintln!();
    let extra = json!({
        "threads": rayon::current_num_threads(),
        "heap_peak_bytes_process": PEAK.load(Ordering::Relaxed),
        "heap_peak_bytes_per_account": PEAK.load(Ordering::Relaxed) / config.accounts.max(1),
    });
    let json = report.to_json(extra);
    let text = match serde_json::to_string_pretty(&json) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("xchat-sim: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("xchat-sim: writing {out}: {e}");
        return ExitCode::from(2);
    }
    let c = &report.counts;
    eprintln!(
        "{} messages in {:.1} s ({:.0}/s), {} accepted, {} violations; report in {out}",
        c.sent,
        report.seconds,
        report.messages_per_second(),
        c.accepted,
        report.violations.len()
    );
    if let Some(s) = &report.shrunk {
        eprintln!(
            "first failure, shrunk: group {} (seed {:#x}), {} rounds: {} ({})",
            s.group, s.group_seed, s.rounds, s.violation.invariant, s.violation.detail
        );
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
