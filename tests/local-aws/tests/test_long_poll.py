"""An SQS long poll waits inside the server without holding up other calls,
as on AWS, where each call is served on its own."""

import threading
import time

# SQS's longest wait: what this test does between the poll's start and the
# message that wakes it has that long, however slow the machine.
WAIT_SECONDS = 20


def wait_for_call(admin, action, timeout=30):
    deadline = time.monotonic() + timeout
    while not any(call["action"] == action for call in admin.calls()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{action} never reached the server")
        time.sleep(0.05)


def test_a_long_poll_blocks_no_other_call_and_a_send_wakes_it(client, admin):
    """ReceiveMessage with WaitTimeSeconds on an empty queue waits up to that
    long for a message and returns as soon as one arrives. Meanwhile, other
    calls (CloudFront, S3) are answered, and the SendMessage that wakes it is
    not queued behind it."""
    sqs, poller = client("sqs"), client("sqs")
    queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    received, returned = [], []

    def poll_once():
        received.append(poller.receive_message(QueueUrl=queue, WaitTimeSeconds=WAIT_SECONDS))
        returned.append(time.monotonic())

    poll = threading.Thread(target=poll_once, daemon=True)
    # Before the server starts the wait: a poll that ran its whole wait
    # returns at least WAIT_SECONDS after this, on any machine.
    started = time.monotonic()
    poll.start()
    wait_for_call(admin, "ReceiveMessage")

    client("cloudfront").list_distributions()
    client("s3").list_buckets()
    assert poll.is_alive(), "the poll ended before the message was sent"

    sqs.send_message(QueueUrl=queue, MessageBody="wake up")
    poll.join(timeout=WAIT_SECONDS + 30)
    assert not poll.is_alive()
    assert [m["Body"] for m in received[0].get("Messages", [])] == ["wake up"]
    assert returned[0] - started < WAIT_SECONDS, "the message was returned only at the end of the wait"
