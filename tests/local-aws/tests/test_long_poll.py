"""An SQS long poll waits inside the server without holding up other calls,
as on AWS, where each call is served on its own."""

import threading
import time


def wait_for_call(admin, action, timeout=10):
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
    received = []
    poll = threading.Thread(
        target=lambda: received.append(poller.receive_message(QueueUrl=queue, WaitTimeSeconds=5)), daemon=True
    )
    poll.start()
    wait_for_call(admin, "ReceiveMessage")

    client("cloudfront").list_distributions()
    client("s3").list_buckets()
    assert poll.is_alive(), "the poll ended before the message was sent"

    sqs.send_message(QueueUrl=queue, MessageBody="wake up")
    poll.join(timeout=10)
    assert not poll.is_alive()
    assert [m["Body"] for m in received[0].get("Messages", [])] == ["wake up"]
