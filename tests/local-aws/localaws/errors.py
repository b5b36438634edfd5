"""AWS error responses in each protocol's own shape.

SDKs find the error code in a different place per protocol, so an injected
fault (and a CloudFront rule of ours) must answer exactly as AWS would:
- rest-xml (CloudFront): <ErrorResponse xmlns=...><Error><Type/><Code/>...
- s3: a bare <Error><Code/><Message/>... document
- query (SQS query): <ErrorResponse><Error>... without a namespace
- json-1.0 / json-1.1 (SQS JSON, Secrets Manager): {"__type", "message"}
"""

import json
import uuid
from xml.sax.saxutils import escape

CLOUDFRONT_XMLNS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"


def render(protocol: str, code: str, message: str, status: int) -> tuple[int, list[tuple[str, str]], bytes]:
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if protocol.startswith("json-"):
        body = json.dumps({"__type": code, "message": message})
        headers += [("Content-Type", f"application/x-amz-{protocol}"), ("X-Amzn-ErrorType", code)]
        return status, headers, body.encode()
    code, message = escape(code), escape(message)
    if protocol == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        )
        headers.append(("x-amz-request-id", request_id))
    else:
        xmlns = f' xmlns="{CLOUDFRONT_XMLNS}"' if protocol == "rest-xml" else ""
        fault = "Sender" if status < 500 else "Receiver"
        body = (
            f"<ErrorResponse{xmlns}><Error><Type>{fault}</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    headers.append(("Content-Type", "text/xml"))
    return status, headers, body.encode()
