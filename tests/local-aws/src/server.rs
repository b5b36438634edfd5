//! Starting (or finding) the one local AWS of this test process.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

/// The first start installs the venv, which can take minutes on a fresh machine.
const FIRST_START_LIMIT: Duration = Duration::from_secs(600);

pub(crate) fn endpoint() -> Result<&'static str, String> {
    static ENDPOINT: OnceLock<Result<String, String>> = OnceLock::new();
    ENDPOINT
        .get_or_init(|| match std::env::var("AWS_ENDPOINT_URL") {
            Ok(url) if !url.is_empty() => Ok(url),
            _ => start(),
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// Starts the server from a thread that lives as long as the process: the
/// kernel's parent-death signal is tied to the spawning thread, so the server
/// gets SIGTERM exactly when the test process ends, however it ends.
fn start() -> Result<String, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/start");
    let log = std::env::temp_dir().join(format!("local-aws-{}.log", std::process::id()));
    let (found, wait) = mpsc::channel();
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
        if !sent {
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            let _ = found.send(Err(format!("{script} ended ({status}) before answering; see {}", log.display())));
        }
        // Keep this thread, and with it the parent-death signal, until exit.
        loop {
            std::thread::park();
        }
    });
    wait.recv_timeout(FIRST_START_LIMIT).map_err(|_| format!("{script} did not answer within {FIRST_START_LIMIT:?}"))?
}
