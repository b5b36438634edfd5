"""Assertions on template.yaml that the linters cannot make: the settings of
issue 13's security review, each one checked where it lives in the template.

Standard library and PyYAML only; run by tests/template/lint with the SAM venv's
Python, or by hand:

    .tools/sam-venv/bin/python tests/template/test_hardening.py -v

TEMPLATE=<path> checks another template (for example an older revision, to see
these tests fail on it).
"""

import json
import os
import re
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.environ.get("TEMPLATE", os.path.join(ROOT, "template.yaml"))


class CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (!Ref, !Sub, !GetAtt, !If ...) as the
    long forms they stand for ({"Ref": ...}, {"Fn::Sub": ...})."""


def _short_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {"Fn::" + suffix: value}


CfnLoader.add_multi_constructor("!", _short_tag)


def load(path=TEMPLATE):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)  # noqa: S506 (a SafeLoader subclass)


NO_VALUE = object()


class Evaluator:
    """Evaluates the condition functions of Conditions and Rules (Equals, Not,
    And, Or, Condition, Ref, Join, If), and FindInMap, for given parameter
    values; any parameter not given takes its default. Values known only at
    deploy time (!GetAtt, !Sub ...) are returned as they are written."""

    OPAQUE = {"Fn::GetAtt", "Fn::Sub", "Fn::Select", "Fn::Split", "Fn::ImportValue", "Fn::Base64"}

    def __init__(self, template, **values):
        self.template = template
        self.params = {}
        for name, spec in template.get("Parameters", {}).items():
            value = values.pop(name, spec.get("Default", ""))
            value = str(value)
            self.params[name] = value.split(",") if spec["Type"] == "CommaDelimitedList" else value
        assert not values, f"not parameters of the template: {sorted(values)}"

    def condition(self, name):
        return self(self.template["Conditions"][name])

    def __call__(self, expr):
        if isinstance(expr, list):
            return [x for x in (self(e) for e in expr) if x is not NO_VALUE]
        if not isinstance(expr, dict) or len(expr) != 1:
            return expr
        (fn, arg), = expr.items()
        if fn == "Ref":
            if arg == "AWS::NoValue":
                return NO_VALUE
            return self.params[arg]
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Equals":
            left, right = (self(a) for a in arg)
            return left == right
        if fn == "Fn::Not":
            return not self(arg[0])
        if fn == "Fn::And":
            return all(self(a) for a in arg)
        if fn == "Fn::Or":
            return any(self(a) for a in arg)
        if fn == "Fn::Join":
            return arg[0].join(self(arg[1]))
        if fn == "Fn::If":
            name, then, otherwise = arg
            return self(then if self.condition(name) else otherwise)
        if fn == "Fn::FindInMap":
            name, key, attribute = (self(a) for a in arg)
            return self.template["Mappings"][name][key][attribute]
        if fn in self.OPAQUE:
            return expr
        raise NotImplementedError(fn)


def resources_of_type(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load()

    def resource(self, name):
        self.assertIn(name, self.t["Resources"], f"{name} is not in the template")
        return self.t["Resources"][name]

    def parameter(self, name):
        self.assertIn(name, self.t["Parameters"], f"parameter {name} is not in the template")
        return self.t["Parameters"][name]



class AccessLogTest(TemplateTest):
    """Issue 13, item 5: the API's access log names the caller, by the JWT's
    sub (AuthMode jwt) or the IAM ARN (AuthMode iam), so a signing request can
    be traced to who made it."""

    def test_access_log_names_the_jwt_subject_and_the_iam_caller(self):
        settings = self.resource("SignerApiStage")["Properties"]["AccessLogSettings"]
        fields = json.loads(settings["Format"])  # JSON, as CloudWatch Logs Insights reads it
        values = set(fields.values())
        self.assertIn("$context.authorizer.claims.sub", values)
        self.assertIn("$context.identity.userArn", values)



def refused_by_rules(template, **values):
    """The AssertDescriptions of every rule that refuses these parameters, as
    CloudFormation would evaluate the Rules section before a deploy."""
    evaluate = Evaluator(template, **values)
    refusals = []
    for rule in template.get("Rules", {}).values():
        if "RuleCondition" in rule and not evaluate(rule["RuleCondition"]):
            continue
        refusals += [a.get("AssertDescription", "") for a in rule["Assertions"] if not evaluate(a["Assert"])]
    return refusals


class IamCallerPrefixTest(TemplateTest):
    """Issue 13, item 8: CallerPrefix is built from JWT claims, which an
    IAM-authorized request does not have, so AuthMode iam with a CallerPrefix
    would answer 403 to every caller. The template refuses the combination
    before anything is deployed."""

    JWT = {"JwtIssuer": "https://issuer.example", "JwtAudience": "app"}

    def test_iam_with_a_caller_prefix_is_refused_and_says_why(self):
        refusals = refused_by_rules(self.t, AuthMode="iam", CallerPrefix="/users/{sub}/")
        self.assertEqual(len(refusals), 1, refusals)
        self.assertIn("CallerPrefix", refusals[0])
        self.assertIn("403", refusals[0])

    def test_iam_without_a_caller_prefix_and_jwt_with_one_are_accepted(self):
        self.assertEqual(refused_by_rules(self.t, AuthMode="iam"), [])
        self.assertEqual(refused_by_rules(self.t, AuthMode="jwt", CallerPrefix="/users/{sub}/", **self.JWT), [])

    def test_the_rule_reads_auth_mode_and_caller_prefix(self):
        rules = [r for r in self.t.get("Rules", {}).values()
                 if r.get("RuleCondition") == {"Fn::Equals": [{"Ref": "AuthMode"}, "iam"]}]
        asserts = [a["Assert"] for r in rules for a in r["Assertions"]]
        self.assertIn({"Fn::Equals": [{"Ref": "CallerPrefix"}, ""]}, asserts)



class ViewerIpv6Test(TemplateTest):
    """Issue 13, item 7: CloudFront does not support IPv6 addresses in a custom
    policy's IpAddress, and advises against IPv6 on a distribution whose URLs
    carry one. ViewerIpv6 turns it off for such deployments."""

    def test_the_parameter_is_enabled_or_disabled_and_enabled_by_default(self):
        spec = self.parameter("ViewerIpv6")
        self.assertEqual(sorted(spec["AllowedValues"]), ["disabled", "enabled"])
        self.assertEqual(spec["Default"], "enabled")

    def test_the_distribution_ipv6_follows_the_parameter(self):
        ipv6 = self.resource("Distribution")["Properties"]["DistributionConfig"]["IPV6Enabled"]
        self.assertIs(Evaluator(self.t, ViewerIpv6="enabled")(ipv6), True)
        self.assertIs(Evaluator(self.t, ViewerIpv6="disabled")(ipv6), False)



class LogLevelTest(TemplateTest):
    """Issue 13, item 10: at AWS_LAMBDA_LOG_LEVEL=TRACE the Lambda runtime
    logs whole events (bearer tokens, CloudFormation's presigned ResponseURL).
    Lambda sets that variable from ApplicationLogLevel, so every function takes
    its level from a parameter that cannot say TRACE."""

    LEVELS = {"DEBUG", "INFO", "WARN", "ERROR"}

    def test_every_function_logs_json_at_a_level_that_cannot_be_trace(self):
        functions = resources_of_type(self.t, "AWS::Serverless::Function")
        self.assertEqual(len(functions), 3)
        for name, function in functions.items():
            with self.subTest(function=name):
                logging = function["Properties"].get("LoggingConfig", {})
                # Lambda takes ApplicationLogLevel only with the JSON format.
                self.assertEqual(logging.get("LogFormat"), "JSON")
                level = logging.get("ApplicationLogLevel")
                self.assertIsInstance(level, dict, "ApplicationLogLevel must be a parameter's !Ref")
                spec = self.parameter(level["Ref"])
                allowed = {str(v).upper() for v in spec["AllowedValues"]}
                self.assertNotIn("TRACE", allowed)
                self.assertLessEqual(allowed, self.LEVELS)
                self.assertEqual(spec["Default"], "INFO")
                self.assertIn(logging.get("SystemLogLevel"), {"INFO", "WARN"})

    def test_globals_set_no_other_level(self):
        logging = self.t.get("Globals", {}).get("Function", {}).get("LoggingConfig", {})
        self.assertNotIn("ApplicationLogLevel", logging)



class JwtScopesTest(TemplateTest):
    """Issue 13, item 14: JwtScopes lets a deployment require a scope on the
    signing routes, so that not every token the issuer mints can sign."""

    JWT = {"AuthMode": "jwt", "JwtIssuer": "https://issuer.example", "JwtAudience": "app"}

    def test_the_parameter_is_a_list_empty_by_default(self):
        spec = self.parameter("JwtScopes")
        self.assertEqual(spec["Type"], "CommaDelimitedList")
        self.assertEqual(spec["Default"], "")

    def test_both_sign_routes_require_the_scopes_with_jwt_only(self):
        for name in ("SignPostRoute", "SignGetRoute"):
            with self.subTest(route=name):
                props = self.resource(name)["Properties"]
                self.assertIn("AuthorizationScopes", props)
                scopes = props["AuthorizationScopes"]
                self.assertIs(Evaluator(self.t, **self.JWT)(scopes), NO_VALUE)
                self.assertEqual(Evaluator(self.t, JwtScopes="media/sign,admin", **self.JWT)(scopes),
                                 ["media/sign", "admin"])
                # Scopes are a JWT authorizer's; an IAM route takes none.
                self.assertIs(Evaluator(self.t, AuthMode="iam", JwtScopes="media/sign")(scopes), NO_VALUE)

    def test_the_preflight_route_requires_nothing(self):
        self.assertNotIn("AuthorizationScopes", self.resource("SignPreflightRoute")["Properties"])



class PropagationTest(TemplateTest):
    """Issue 13, item 15: the activation delay's default is AWS's documented
    figure for a CloudFront change to reach the edges, 5 minutes, and no text
    still claims the older guide's longer one."""

    DOCS = ["README.md", "template.yaml", "functions/key-rotator/README.md"]
    # "15 minutes", "15 min", "15-minute", "fifteen minutes", in any case.
    OLD_CLAIM = re.compile(r"\b(15|fifteen)[ -]?min", re.IGNORECASE)

    def test_the_activation_delay_defaults_to_300_seconds(self):
        self.assertEqual(self.parameter("ActivationDelaySeconds")["Default"], 300)

    def test_no_text_claims_15_minutes(self):
        for name in self.DOCS:
            with self.subTest(file=name), open(os.path.join(ROOT, name), encoding="utf-8") as f:
                lines = [f"{name}:{n}: {line.strip()}" for n, line in enumerate(f, 1) if self.OLD_CLAIM.search(line)]
                self.assertEqual(lines, [], "these lines still claim 15 minutes")



class KeySecretPolicyTest(TemplateTest):
    """Issue 13, item 4: the signing key's secret carries a resource policy
    whose Deny statements win over any Allow an identity policy grants
    (SecretsManagerReadWrite, an account-wide secretsmanager:*): only the
    url-signer and the key-rotator (and an optional break-glass role) read the
    key, only the key-rotator (and break-glass) write it. CloudFormation must
    still be able to update and delete the stack, so nothing else is denied."""

    SIGNER = {"Fn::GetAtt": ["UrlSignerFunctionRole", "Arn"]}
    ROTATOR = {"Fn::GetAtt": ["KeyRotatorFunctionRole", "Arn"]}
    BREAK_GLASS = "arn:aws:iam::123456789012:role/break-glass"
    WRITES = {"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"}
    # What CloudFormation calls to update and delete the stack, and what
    # Secrets Manager's own rotation needs.
    NEVER_DENIED = {
        "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
        "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
        "secretsmanager:GetResourcePolicy", "secretsmanager:TagResource",
        "secretsmanager:UntagResource", "secretsmanager:UpdateSecret",
        "secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret",
    }

    def policy(self):
        policies = resources_of_type(self.t, "AWS::SecretsManager::ResourcePolicy")
        self.assertEqual(len(policies), 1, "one resource policy on the key secret")
        (props,) = (p["Properties"] for p in policies.values())
        self.assertEqual(props["SecretId"], {"Ref": "KeySecret"})
        return props

    def denials(self, **values):
        """(actions, principals exempt) of every Deny, evaluated for values."""
        evaluate = Evaluator(self.t, **values)
        out = []
        for statement in self.policy()["ResourcePolicy"]["Statement"]:
            if statement["Effect"] != "Deny":
                continue
            self.assertEqual(statement["Principal"], "*")
            actions = statement["Action"]
            actions = {actions} if isinstance(actions, str) else set(actions)
            condition = statement.get("Condition", {})
            self.assertEqual(set(condition), {"ArnNotEquals"}, "exemptions by aws:PrincipalArn only")
            self.assertEqual(set(condition["ArnNotEquals"]), {"aws:PrincipalArn"})
            exempt = evaluate(condition["ArnNotEquals"]["aws:PrincipalArn"])
            out.append((actions, exempt if isinstance(exempt, list) else [exempt]))
        return out

    def exempt_from(self, action, **values):
        """Who may still call action: None if no statement denies it."""
        exempt = None
        for actions, principals in self.denials(**values):
            if action in actions or "secretsmanager:*" in actions:
                exempt = principals if exempt is None else [p for p in exempt if p in principals]
        return exempt

    def test_public_policies_are_blocked(self):
        self.assertIs(self.policy()["BlockPublicPolicy"], True)

    def test_only_the_signer_and_the_rotator_read_the_key(self):
        self.assertEqual(self.exempt_from("secretsmanager:GetSecretValue"), [self.SIGNER, self.ROTATOR])

    def test_only_the_rotator_writes_the_key(self):
        for action in self.WRITES:
            with self.subTest(action=action):
                self.assertEqual(self.exempt_from(action), [self.ROTATOR])

    def test_a_break_glass_role_is_exempt_when_given(self):
        given = {"BreakGlassRoleArn": self.BREAK_GLASS}
        self.assertEqual(self.exempt_from("secretsmanager:GetSecretValue", **given),
                         [self.SIGNER, self.ROTATOR, self.BREAK_GLASS])
        for action in self.WRITES:
            with self.subTest(action=action):
                self.assertEqual(self.exempt_from(action, **given), [self.ROTATOR, self.BREAK_GLASS])

    def test_the_break_glass_parameter_is_optional(self):
        spec = self.parameter("BreakGlassRoleArn")
        self.assertEqual(spec["Default"], "")
        self.assertRegex("", spec["AllowedPattern"])
        self.assertRegex(self.BREAK_GLASS, spec["AllowedPattern"])
        self.assertNotRegex("arn:aws:iam::123456789012:user/alice", spec["AllowedPattern"])

    def test_cloudformation_can_still_update_and_delete_the_stack(self):
        for action in self.NEVER_DENIED:
            with self.subTest(action=action):
                self.assertIsNone(self.exempt_from(action))

    def test_the_exempt_roles_are_the_ones_sam_creates(self):
        # SAM names a function's role <FunctionLogicalId>Role only when the
        # function sets no Role of its own.
        for name in ("UrlSignerFunction", "KeyRotatorFunction"):
            with self.subTest(function=name):
                self.assertNotIn("Role", self.resource(name)["Properties"])

    def test_the_first_key_is_written_after_the_policy_is_in_place(self):
        depends = self.resource("SigningKeys").get("DependsOn", [])
        depends = [depends] if isinstance(depends, str) else depends
        policy = next(iter(resources_of_type(self.t, "AWS::SecretsManager::ResourcePolicy")))
        self.assertIn(policy, depends)



class ViewerRequestGuardTest(TemplateTest):
    """Issue 13, item 13: the CloudFront Function that refuses hostile paths
    runs on every cache behaviour. What it refuses is tested by
    tests/viewer-request/guard.test.js, which runs its code."""

    ARN = {"Fn::GetAtt": ["ViewerRequestGuard", "FunctionMetadata.FunctionARN"]}

    def test_the_guard_is_a_published_cloudfront_js_2_function(self):
        guard = self.resource("ViewerRequestGuard")
        self.assertEqual(guard["Type"], "AWS::CloudFront::Function")
        props = guard["Properties"]
        self.assertIs(props["AutoPublish"], True)
        self.assertEqual(props["FunctionConfig"]["Runtime"], "cloudfront-js-2.0")
        self.assertIn("function handler(event)", props["FunctionCode"])

    def test_every_cache_behaviour_runs_it_on_viewer_request(self):
        config = self.resource("Distribution")["Properties"]["DistributionConfig"]
        behaviours = [config["DefaultCacheBehavior"]] + config.get("CacheBehaviors", [])
        for n, behaviour in enumerate(behaviours):
            with self.subTest(behaviour=behaviour.get("PathPattern", "default")):
                associations = behaviour.get("FunctionAssociations", [])
                self.assertIn({"EventType": "viewer-request", "FunctionARN": self.ARN}, associations)


class BucketDistributionsTest(TemplateTest):
    """The parameter's pattern admits only what the url-signer's
    BUCKET_DISTRIBUTIONS reads: a stack never deploys a value that fails
    the function's cold start."""

    def test_entries_are_bucket_domain_and_plain_origin_paths(self):
        pattern = self.parameter("BucketDistributions")["AllowedPattern"]
        for good in ["", "media=d111111abcdef8.cloudfront.net", "media=d1.example.com/assets/v1,logs=d2.example.com",
                     "media-2=localhost:8443/a_b~c"]:
            with self.subTest(good=good):
                self.assertRegex(good, pattern)
        for bad in ["media", "Media=d1.example.com", "media=d1.example.com/a//b", "media=d1.example.com/./a",
                    "media=d1.example.com/../a", "media=d1.example.com/a b", "media=d1.example.com,"]:
            with self.subTest(bad=bad):
                self.assertNotRegex(bad, pattern)



def evaluated(evaluate, expr):
    """expr with every !If, !FindInMap and parameter !Ref in it resolved by
    evaluate, at any depth, and what resolves to AWS::NoValue dropped.
    Deploy-time values (!Sub, !GetAtt, a resource's !Ref) stay as written."""
    if isinstance(expr, list):
        return [v for v in (evaluated(evaluate, e) for e in expr) if v is not NO_VALUE]
    if not isinstance(expr, dict):
        return expr
    if len(expr) == 1:
        (fn, arg), = expr.items()
        if fn == "Ref" and arg != "AWS::NoValue" and arg not in evaluate.params:
            return expr
        if fn == "Ref" or (fn.startswith("Fn::") and fn not in Evaluator.OPAQUE):
            return evaluated(evaluate, evaluate(expr))
    out = {}
    for key, value in expr.items():
        value = evaluated(evaluate, value)
        if value is not NO_VALUE:
            out[key] = value
    return out


def as_list(value):
    return value if isinstance(value, list) else [value]


class KmsModeTest(TemplateTest):
    """KMS mode (SigningKeySource kms): the key-rotator creates each key pair
    as an asymmetric AWS KMS key and the url-signer signs with kms:Sign, so no
    private key is ever in Secrets Manager. The url-signer's KMS grants reach
    only keys carrying this stack's key-group tag and one of this stack's
    aliases. The key-rotator, which may tag keys, has no grant on key ARNs but
    ListResourceTags (the policy of each key it creates names its role) and
    its alias grants only on this stack's aliases, in both modes. The only
    grants on "*" are ListKeys and ListAliases, which take no resource, and
    CreateKey with the TagResource that tags the new key, whose conditions pin
    the key they make: in both modes, since a rotation begun in KMS mode
    finishes in KMS after the stack leaves it."""

    FUNCTIONS = ("KeyRotatorFunction", "UrlSignerFunction", "InvalidatorFunction")
    KEY_ARNS = {"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"}
    GROUP_TAG = "aws:ResourceTag/key-rotator:key-group"
    RESOURCE_ALIASES = "kms:ResourceAliases"
    REQUEST_TAG = "aws:RequestTag/key-rotator:key-group"
    TAG_KEYS = ["key-rotator:key-group", "key-rotator:token"]
    # KeyAlgorithm: (KMS key spec, KMS signing algorithm).
    ALGORITHMS = {"rsa2048": ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"),
                  "ecdsa-p256": ("ECC_NIST_P256", "ECDSA_SHA_256")}
    SECRET_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    JWT = {"JwtIssuer": "https://issuer.example", "JwtAudience": "app"}

    def variants(self):
        """Every mode and algorithm, with and without a key for the secret."""
        for source in ("secret", "kms"):
            for algorithm in self.ALGORITHMS:
                for extra in ({}, {"SecretKmsKeyArn": self.SECRET_KEY}):
                    yield dict(SigningKeySource=source, KeyAlgorithm=algorithm, HashAlgorithm="SHA256", **extra)

    def environment(self):
        return self.resource("KeyRotatorFunction")["Properties"]["Environment"]["Variables"]

    def group(self):
        """The key group name, as the key-rotator is given it."""
        return self.environment()["KEY_GROUP_NAME"]

    def alias_arns(self):
        template, variables = self.group()["Fn::Sub"]
        prefix = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/key-rotator/"
        return {"Fn::Sub": [prefix + template + "/*", variables]}

    def alias_names(self):
        """This stack's alias names (not ARNs), as kms:ResourceAliases sees them."""
        template, variables = self.group()["Fn::Sub"]
        return {"Fn::Sub": ["alias/key-rotator/" + template + "/*", variables]}

    def assert_aliased(self, statement):
        """The statement reaches only keys with one of this stack's aliases."""
        condition = statement.get("Condition", {})
        self.assertEqual(condition.get("ForAnyValue:StringLike"), {self.RESOURCE_ALIASES: self.alias_names()},
                         "only keys with one of this stack's aliases")

    def statements(self, function, **values):
        evaluate = Evaluator(self.t, **values)
        out = []
        for policy in self.resource(function)["Properties"].get("Policies", []):
            # A managed policy or a SAM policy template could grant anything.
            self.assertIsInstance(policy, dict, f"{function}: inline policy documents only")
            self.assertIn("Statement", policy, f"{function}: inline policy documents only")
            out += evaluated(evaluate, as_list(policy["Statement"]))
        return out

    def granting(self, function, action, **values):
        return [s for s in self.statements(function, **values)
                if action.lower() in (a.lower() for a in as_list(s["Action"]))]

    def test_the_parameter_is_secret_or_kms_and_secret_by_default(self):
        spec = self.parameter("SigningKeySource")
        self.assertEqual(sorted(spec["AllowedValues"]), ["kms", "secret"])
        self.assertEqual(spec["Default"], "secret")
        groups = self.t["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
        (signing_keys,) = [g for g in groups if g["Label"]["default"] == "Signing keys"]
        self.assertIn("SigningKeySource", signing_keys["Parameters"])
        # No condition tests the mode: it reaches the stack through the
        # key-rotator's environment and the SHA-256 rule only.
        for name, expression in self.t["Conditions"].items():
            self.assertNotIn("SigningKeySource", json.dumps(expression), name)

    def test_every_grant_is_the_same_in_both_modes(self):
        """A rotation begun in KMS mode finishes in KMS, and the key in use
        outlives a change of SigningKeySource: switching modes changes no
        grant."""
        for values in self.variants():
            if values["SigningKeySource"] != "kms":
                continue
            secret = dict(values, SigningKeySource="secret")
            for function in self.FUNCTIONS:
                with self.subTest(function=function, **secret):
                    self.assertEqual(self.statements(function, **values), self.statements(function, **secret))

    def test_every_key_algorithm_has_a_kms_key_spec_and_signing_algorithm(self):
        self.assertEqual(set(self.parameter("KeyAlgorithm")["AllowedValues"]), set(self.ALGORITHMS))

    def test_kms_mode_is_refused_without_sha256(self):
        refusals = refused_by_rules(self.t, SigningKeySource="kms", HashAlgorithm="SHA1", **self.JWT)
        self.assertEqual(len(refusals), 1, refusals)
        self.assertIn("SHA256", refusals[0])
        self.assertIn("SigningKeySource", refusals[0])
        self.assertEqual(refused_by_rules(self.t, SigningKeySource="kms", HashAlgorithm="SHA256", **self.JWT), [])
        self.assertEqual(refused_by_rules(self.t, SigningKeySource="secret", HashAlgorithm="SHA1", **self.JWT), [])

    def test_the_rotator_is_told_the_mode_and_both_roles(self):
        env = self.environment()
        self.assertEqual(env.get("SIGNING_KEY_SOURCE"), {"Ref": "SigningKeySource"})
        self.assertEqual(env.get("KMS_SIGNER_ROLE_ARN"), {"Fn::GetAtt": ["UrlSignerFunctionRole", "Arn"]})
        self.assertEqual(env.get("KMS_ROTATOR_ROLE_ARN"), {"Fn::GetAtt": ["KeyRotatorFunctionRole", "Arn"]})

    def test_both_modes_create_only_pinned_keys(self):
        """In both modes: a rotation whose KMS draft was written before the
        stack left KMS mode still creates (and tags) its key in KMS."""
        for values in self.variants():
            key_spec, _ = self.ALGORITHMS[values["KeyAlgorithm"]]
            for action in ("kms:CreateKey", "kms:TagResource"):
                with self.subTest(action=action, **values):
                    for function in ("UrlSignerFunction", "InvalidatorFunction"):
                        self.assertEqual(self.granting(function, action, **values), [], function)
                    (statement,) = self.granting("KeyRotatorFunction", action, **values)
                    self.assertEqual(as_list(statement["Action"]), [action])
                    self.assertEqual(as_list(statement["Resource"]), ["*"])
                    condition = statement.get("Condition", {})
                    equals = condition.get("StringEquals", {})
                    self.assertEqual(equals.get(self.REQUEST_TAG), self.group())
                    tag_keys = condition.get("ForAllValues:StringEquals", {}).get("aws:TagKeys", [])
                    self.assertEqual(sorted(as_list(tag_keys)), self.TAG_KEYS)
                    if action == "kms:CreateKey":
                        self.assertEqual(equals.get("kms:KeyUsage"), "SIGN_VERIFY")
                        self.assertEqual(equals.get("kms:KeySpec"), key_spec)
                    else:
                        # Conditions on the key made belong to CreateKey: one
                        # TagResource's request may lack would refuse the tags.
                        self.assertNotIn("kms:KeyUsage", json.dumps(condition))
                        self.assertNotIn("kms:KeySpec", json.dumps(condition))

    def test_the_rotator_reaches_its_keys_in_both_modes(self):
        for values in self.variants():
            statements = self.statements("KeyRotatorFunction", **values)
            with self.subTest(grants="alias, list, tags", **values):
                for action in ("kms:CreateAlias", "kms:DeleteAlias"):
                    self.assertTrue(any(action in as_list(s["Action"])
                                        and self.alias_arns() in as_list(s["Resource"]) for s in statements), action)
                for action in ("kms:ListKeys", "kms:ListAliases"):
                    self.assertTrue(any(action in as_list(s["Action"])
                                        and "*" in as_list(s["Resource"]) for s in statements), action)
                self.assertTrue(any("kms:ListResourceTags" in as_list(s["Action"])
                                    and self.KEY_ARNS in as_list(s["Resource"]) for s in statements))

    def test_the_rotator_has_no_tag_conditioned_grant_on_keys(self):
        """In both modes the key-rotator may tag keys (TagResource), so a grant
        on key ARNs conditioned on the key-group tag would reach any key it
        tags. Its own keys' policies name its role; IAM grants it nothing on
        key ARNs but ListResourceTags, and its alias actions only on this
        stack's aliases."""
        for values in self.variants():
            for statement in self.statements("KeyRotatorFunction", **values):
                actions = [a.lower() for a in as_list(statement["Action"]) if a.lower().startswith("kms:")]
                resources = as_list(statement["Resource"])
                with self.subTest(actions=actions, resources=resources, **values):
                    if self.KEY_ARNS in resources:
                        self.assertEqual(actions, ["kms:listresourcetags"])
                        self.assertNotIn("Condition", statement)
                    if {"kms:createalias", "kms:deletealias"} & set(actions):
                        self.assertEqual(resources, [self.alias_arns()])
                    self.assertNotIn(self.GROUP_TAG, json.dumps(statement))

    def test_the_signer_signs_digests_with_the_key_algorithms_signing_algorithm(self):
        for values in self.variants():
            with self.subTest(**values):
                _, signing_algorithm = self.ALGORITHMS[values["KeyAlgorithm"]]
                (sign,) = self.granting("UrlSignerFunction", "kms:Sign", **values)
                self.assertEqual(as_list(sign["Action"]), ["kms:Sign"])
                self.assertEqual(as_list(sign["Resource"]), [self.KEY_ARNS])
                self.assertEqual(sign["Condition"], {
                    "StringEquals": {
                        self.GROUP_TAG: self.group(),
                        "kms:SigningAlgorithm": signing_algorithm,
                        "kms:MessageType": "DIGEST",
                    },
                    "ForAnyValue:StringLike": {self.RESOURCE_ALIASES: self.alias_names()},
                })
                (public_key,) = self.granting("UrlSignerFunction", "kms:GetPublicKey", **values)
                self.assertEqual(as_list(public_key["Resource"]), [self.KEY_ARNS])
                self.assertEqual(public_key.get("Condition", {}).get("StringEquals", {}).get(self.GROUP_TAG),
                                 self.group())
                self.assert_aliased(public_key)

    def test_the_signers_alias_condition_names_this_stacks_aliases(self):
        """The url-signer's tag-conditioned grants also need one of the
        aliases the key-rotator may create (its alias grant's names), which
        only keys whose own policy lets it CreateAlias can get, and which a
        retired key loses."""
        alias_arn_template, variables = self.alias_arns()["Fn::Sub"]
        alias_name_template, alias_variables = self.alias_names()["Fn::Sub"]
        self.assertEqual(alias_variables, variables)
        self.assertTrue(alias_arn_template.endswith(":" + alias_name_template), alias_arn_template)
        for values in self.variants():
            for action in ("kms:Sign", "kms:GetPublicKey"):
                with self.subTest(action=action, **values):
                    (statement,) = self.granting("UrlSignerFunction", action, **values)
                    self.assert_aliased(statement)

    def test_no_statement_grants_a_kms_wildcard(self):
        for function in self.FUNCTIONS:
            for values in self.variants():
                with self.subTest(function=function, **values):
                    for statement in self.statements(function, **values):
                        self.assertEqual(statement["Effect"], "Allow")
                        self.assertNotIn("NotAction", statement)
                        self.assertNotIn("NotResource", statement)
                        for action in as_list(statement["Action"]):
                            self.assertNotEqual(action, "*")
                            if action.lower().startswith("kms:"):
                                self.assertNotRegex(action, r"[*?]")

    def test_every_kms_grant_is_on_this_stacks_keys(self):
        """Each (kms action, resource) pair of every statement is one of the
        grants described in the class docstring, or the secret's own key for
        Secrets Manager's use."""
        anywhere = {"kms:listkeys", "kms:listaliases", "kms:createkey", "kms:tagresource"}
        for function in self.FUNCTIONS:
            for values in self.variants():
                for statement in self.statements(function, **values):
                    condition = statement.get("Condition", {})
                    equals = condition.get("StringEquals", {})
                    for action in as_list(statement["Action"]):
                        if not action.lower().startswith("kms:"):
                            continue
                        for resource in as_list(statement["Resource"]):
                            with self.subTest(function=function, action=action, resource=resource, **values):
                                self.check_kms_grant(action.lower(), resource, condition, equals, anywhere, values)

    def check_kms_grant(self, action, resource, condition, equals, anywhere, values):
        if resource == "*":
            self.assertIn(action, anywhere, "on *: ListKeys, ListAliases, CreateKey and TagResource only")
            if action not in {"kms:listkeys", "kms:listaliases"}:
                self.assertEqual(equals.get(self.REQUEST_TAG), self.group())
                tag_keys = condition.get("ForAllValues:StringEquals", {}).get("aws:TagKeys", [])
                self.assertEqual(sorted(as_list(tag_keys)), self.TAG_KEYS)
        elif action == "kms:listresourcetags":
            # The prune reads the tags of every key to find its own.
            self.assertEqual(resource, self.KEY_ARNS)
        elif resource == values.get("SecretKmsKeyArn"):
            # The secret's encryption key, for Secrets Manager's use only.
            self.assertIn(action, {"kms:decrypt", "kms:generatedatakey"})
            self.assertEqual(equals.get("kms:ViaService"), {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"})
        elif resource == self.alias_arns():
            self.assertIn(action, {"kms:createalias", "kms:deletealias"})
        else:
            self.assertEqual(resource, self.KEY_ARNS)
            self.assertEqual(equals.get(self.GROUP_TAG), self.group(), "only keys with this stack's tag")
            self.assert_aliased({"Condition": condition})


if __name__ == "__main__":
    unittest.main()
