//! Starting (or finding) the local AWS servers of this test process.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once, mpsc};
use std::time::Duration;

/// The first start installs the venv, which can take minutes on a fresh machine.
const FIRST_START_LIMIT: Duration = Duration::from_secs(600);

/// Each server is one Python process, busy on one core: more servers than
/// cores gain nothing, and each holds about 100 MB.
const MOST_SERVERS: usize = 4;

/// Names a running local AWS for the tests to use (and reset) instead of
/// starting their own. Not AWS_ENDPOINT_URL: a user who exported the endpoint
/// that `make local` prints would lose that seeded stack on the next test run.
pub(crate) const REUSE_VARIABLE: &str = "LOCAL_AWS_ENDPOINT";

/// The endpoint named by [`REUSE_VARIABLE`], if any: then it is the only server.
pub(crate) fn reused_endpoint() -> Option<String> {
    reused(std::env::var(REUSE_VARIABLE).ok())
}

/// How many servers this process may start: one per core the tests run on.
pub(crate) fn capacity() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(MOST_SERVERS)
}

/// The endpoint named by [`REUSE_VARIABLE`], without a trailing `/` (the admin
/// paths are appended to it); none if unset or empty.
fn reused(value: Option<String>) -> Option<String> {
    let url = value?.trim_end_matches('/').to_owned();
    (!url.is_empty()).then_some(url)
}

/// Each server's log, and whether that server failed (did not start, or ended
/// before the test process): then its log is kept for reading.
static LOGS: Mutex<Vec<(PathBuf, Arc<AtomicBool>)>> = Mutex::new(Vec::new());

extern "C" fn remove_logs_unless_failed() {
    // At exit no test holds the lock; try_lock still never blocks the exit.
    if let Ok(logs) = LOGS.try_lock() {
        for (log, failed) in logs.iter() {
            if !failed.load(Ordering::SeqCst) {
                let _ = std::fs::remove_file(log);
            }
        }
    }
}

/// Starts the server from a thread that lives as long as the process: the
/// kernel's parent-death signal is tied to the spawning thread, so the server
/// gets SIGTERM exactly when the test process ends, however it ends.
pub(crate) fn start() -> Result<String, String> {
    static AT_EXIT: Once = Once::new();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/start");
    let failed = Arc::new(AtomicBool::new(false));
    let log = {
        let mut logs = LOGS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let log = std::env::temp_dir().join(format!("local-aws-{}-{}.log", std::process::id(), logs.len() + 1));
        logs.push((log.clone(), Arc::clone(&failed)));
        log
    };
    // SAFETY: the handler only reads a static and removes files; it runs at
    // exit(), which the test harness reaches however the tests ended.
    AT_EXIT.call_once(|| unsafe {
        libc::atexit(remove_logs_unless_failed);
    });
    let (found, wait) = mpsc::channel();
    let shown = log.display().to_string();
    let timed_out = Arc::clone(&failed);
    std::thread::spawn(move || {
        let stderr = match std::fs::File::create(&log) {
            Ok(file) => Stdio::from(file),
            Err(e) => return found.send(Err(format!("cannot create {}: {e}", log.display()))).unwrap_or(()),
        };
        let mut command = Command::new(script);
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(stderr);
        // SAFETY: prctl is async-signal-safe and touches only the child being set up.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => return found.send(Err(format!("cannot run {script}: {e}"))).unwrap_or(()),
        };
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut sent = false;
        for line in stdout.lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("AWS_ENDPOINT_URL=")
                && !sent
            {
                sent = found.send(Ok(url.to_owned())).is_ok();
            }
        }
        // Its stdout closed: the server ended while this process still runs.
        failed.store(true, Ordering::SeqCst);
        if !sent {
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            let _ = found.send(Err(format!("{script} ended ({status}) before answering; see {}", log.display())));
        }
        // Keep this thread, and with it the parent-death signal, until exit.
        loop {
            std::thread::park();
        }
    });
    wait.recv_timeout(FIRST_START_LIMIT).map_err(|_| {
        // Kept for reading, like the log of a server that ended.
        timed_out.store(true, Ordering::SeqCst);
        format!("{script} did not answer within {FIRST_START_LIMIT:?}; see {shown}")
    })?
}

#[cfg(test)]
mod tests {
    use super::reused;

    #[test]
    fn a_reused_endpoint_loses_its_trailing_slashes() {
        assert_eq!(reused(Some("http://127.0.0.1:4566/".into())).as_deref(), Some("http://127.0.0.1:4566"));
        assert_eq!(reused(Some("http://127.0.0.1:4566".into())).as_deref(), Some("http://127.0.0.1:4566"));
    }

    #[test]
    fn an_unset_or_empty_variable_starts_a_server() {
        assert_eq!(reused(None), None);
        assert_eq!(reused(Some(String::new())), None);
        assert_eq!(reused(Some("/".into())), None);
    }
}
