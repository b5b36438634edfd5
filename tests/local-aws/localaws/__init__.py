"""A local AWS on loopback for our Lambda functions' tests.

How: moto (pinned in requirements.txt) extended in place at startup, rather
than a separate CloudFront emulator beside it.

Why: moto already parses every request and serializes every answer from
botocore's own service models, routes by method and path the way AWS does,
and keeps the state that its reset clears. What it lacks for us is behaviour
(ETags, IfMatch, quotas, validation, idempotence, timing), not protocol. So
the CloudFront and Secrets Manager modules replace or add a few methods on
moto's own backend and response classes, each a short function stating the
AWS rule it enforces, and keep their state on moto's backend objects so that
moto's reset clears it too. A separate emulator would have to re-implement the
request parsing and the Distribution shapes that moto gets right, and a second
store of state that could drift from moto's.

The price: these patches name moto internals, which is why moto is pinned
exactly; a moto upgrade must re-run tests/local-aws/test.

Beside the patches sits one WSGI layer (app.py) that moto knows nothing of:
the admin endpoints under /_local/, the call log and fault injection.
"""
