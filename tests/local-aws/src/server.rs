//! Starting (or finding) the one local AWS of this test process.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// The first start installs the venv, which can take minutes on a fresh machine.
const FIRST_START_LIMIT: Duration = Duration::from_secs(600);

/// Names a running local AWS for the tests to use (and reset) instead of
/// starting their own. Not AWS_ENDPOINT_URL: a user who exported the endpoint
/// that `make local` prints would lose that seeded stack on the next test run.
pub(crate) const REUSE_VARIABLE: &str = "LOCAL_AWS_ENDPOINT";

pub(crate) fn endpoint() -> Result<&'static str, String> {
    static ENDPOINT: OnceLock<Result<String, String>> = OnceLock::new();
    ENDPOINT
        .get_or_init(|| match reused(std::env::var(REUSE_VARIABLE).ok()) {
            Some(url) => Ok(url),
            None => start(),
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// The endpoint named by [`REUSE_VARIABLE`], without a trailing `/` (the admin
/// paths are appended to it); none if unset or empty.
fn reused(value: Option<String>) -> Option<String> {
    let url = value?.trim_end_matches('/').to_owned();
    (!url.is_empty()).then_some(url)
}

/// This process's server log, and whether the server failed (did not start, or
/// ended before the test process): then the log is kept for reading.
static LOG: OnceLock<PathBuf> = OnceLock::new();
static SERVER_FAILED: AtomicBool = AtomicBool::new(false);

extern "C" fn remove_log_unless_failed() {
    if !SERVER_FAILED.load(Ordering::SeqCst)
        && let Some(log) = LOG.get()
    {
        let _ = std::fs::remove_file(log);
    }
}

/// Starts the server from a thread that lives as long as the process: the
/// kernel's parent-death signal is tied to the spawning thread, so the server
/// gets SIGTERM exactly when the test process ends, however it ends.
fn start() -> Result<String, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/start");
    let log = LOG.get_or_init(|| std::env::temp_dir().join(format!("local-aws-{}.log", std::process::id())));
    let (found, wait) = mpsc::channel();
    std::thread::spawn(move || {
        let stderr = match std::fs::File::create(log) {
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
        SERVER_FAILED.store(true, Ordering::SeqCst);
        if !sent {
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            let _ = found.send(Err(format!("{script} ended ({status}) before answering; see {}", log.display())));
        }
        // Keep this thread, and with it the parent-death signal, until exit.
        loop {
            std::thread::park();
        }
    });
    let url = wait
        .recv_timeout(FIRST_START_LIMIT)
        .map_err(|_| format!("{script} did not answer within {FIRST_START_LIMIT:?}; see {}", log.display()))??;
    // SAFETY: the handler only reads two statics and removes a file; it runs
    // at exit(), which the test harness reaches however the tests ended.
    unsafe {
        libc::atexit(remove_log_unless_failed);
    }
    Ok(url)
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
