"""The call log keeps the most recent calls only, so a server left running
(make local) does not grow without end."""

from localaws.faults import MAX_CALLS_KEPT, CallLog
from localaws.operations import Operation


def test_the_call_log_keeps_the_last_calls_in_order():
    """Past its limit, the log drops the oldest calls and keeps the order of
    the rest; the server's limit is 10,000 calls."""
    log = CallLog(limit=3)
    for n in range(5):
        log.record(Operation("sqs", f"Call{n}", "json-1.0"))
    assert [call["action"] for call in log.list()] == ["Call2", "Call3", "Call4"]
    assert MAX_CALLS_KEPT == 10_000
