"""Runs the SAM transform on a template, offline, and fails on what it rejects.

`sam validate --lint` and cfn-lint accept some templates that the transform
CloudFormation runs at deploy time refuses (an intrinsic function where SAM
wants a literal string, for example). This runs that same transform
(samtranslator, from the SAM CLI's venv) with no AWS account: local CodeUri
folders stand in as S3 locations, as `sam package` would make them, and managed
policy names resolve to nothing (the template uses none).
"""

import json
import os
import sys

from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}

    def get_managed_policy_map(self):
        return {}


def main(path):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        code = props.get("CodeUri")
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(code, str) and not code.startswith("s3://"):
            if not os.path.isdir(os.path.join(os.path.dirname(os.path.abspath(path)), code)):
                print(f"{path}: CodeUri {code} is not a folder", file=sys.stderr)
                return 1
            props["CodeUri"] = f"s3://placeholder/{code}"
    try:
        output = transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"{path}: {cause.message}", file=sys.stderr)
        return 1
    kinds = {}
    for resource in output["Resources"].values():
        kinds[resource["Type"]] = kinds.get(resource["Type"], 0) + 1
    print(f"{path}: the SAM transform gives {len(output['Resources'])} resources")
    json.dumps(output)  # must serialise, as CloudFormation receives it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml"))
