"""Where the signing keys live, in each mode of the key-rotator
(SIGNING_KEY_SOURCE), seen through the local AWS as the end-to-end test runs.

secret: every key version of the secret is {"keyPairId", "privateKey"} (a
PEM), the url-signer signs without calling KMS, and the rotator makes no KMS
key. kms: every key version is {"keyPairId", "kmsKeyArn"} and no version of
the secret, deprecated ones and drafts included, ever holds a private key; each
KMS key is the rotator's (tagged with the key group and its rotation's token,
aliased alias/key-rotator/<group>/<token>), holds the public key CloudFront
has for its key pair id, and the url-signer signs through kms:Sign; a key
whose public key left the group (a revoke) is PendingDeletion, signs no more
and has lost its alias, while every key still in the group stays Enabled."""

import datetime
import json
import uuid

import botocore.exceptions
from cryptography.hazmat.primitives import serialization

from common import KEY_GROUP_NAME, client, key_pair_id, local_calls

SHAPES = {"secret": {"keyPairId", "privateKey"}, "kms": {"keyPairId", "kmsKeyArn"}}
# What a draft (version "<token>-draft") holds besides the version it replaces.
DRAFT_KEYS = {"secret": "privateKey", "kms": "kmsKeyAlias"}
GROUP_TAG, TOKEN_TAG = "key-rotator:key-group", "key-rotator:token"
ALIAS_PREFIX = f"alias/key-rotator/{KEY_GROUP_NAME}/"
# KMS's shortest waiting period, which the key-rotator schedules.
DELETION_DAYS = 7


def der_of(pem):
    """A PEM public key as the DER SubjectPublicKeyInfo KMS's GetPublicKey answers."""
    key = serialization.load_pem_public_key(pem.encode())
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class SigningKeys:
    def __init__(self, values, mode, check):
        self.values, self.mode, self.check = values, mode, check
        self.endpoint = values["AWS_ENDPOINT_URL"]
        self.secrets, self.kms, self.cloudfront = (
            client(name, self.endpoint) for name in ("secretsmanager", "kms", "cloudfront"))
        self.secret_id = values["KEY_SECRET_ID"]

    # Reading.

    def current(self):
        """(version id, value) of AWSCURRENT."""
        answer = self.secrets.get_secret_value(SecretId=self.secret_id, VersionStage="AWSCURRENT")
        return answer["VersionId"], json.loads(answer["SecretString"])

    def versions(self):
        """{version id: value (JSON), or None for a version without one} of every
        version of the secret, deprecated ones included."""
        listed, token = [], None
        while True:
            page = self.secrets.list_secret_version_ids(SecretId=self.secret_id, IncludeDeprecated=True,
                                                        **({"NextToken": token} if token else {}))
            listed += page["Versions"]
            if not (token := page.get("NextToken")):
                break
        found = {}
        for version in (v["VersionId"] for v in listed):
            try:
                found[version] = self.secrets.get_secret_value(SecretId=self.secret_id, VersionId=version)["SecretString"]
            except self.secrets.exceptions.ResourceNotFoundException:
                found[version] = None  # opened by RotateSecret, never written
        return found

    def group(self):
        return self.cloudfront.get_key_group(Id=self.values["KEY_GROUP_ID"])["KeyGroup"]["KeyGroupConfig"]["Items"]

    def metadata(self, key):
        return self.kms.describe_key(KeyId=key)["KeyMetadata"]

    def aliases(self, key=None):
        """The names of the aliases under the key group's prefix (of `key`, when given)."""
        names, marker = [], None
        while True:
            page = self.kms.list_aliases(**({"KeyId": key} if key else {}), **({"Marker": marker} if marker else {}))
            names += [a["AliasName"] for a in page["Aliases"] if a["AliasName"].startswith(ALIAS_PREFIX)]
            if not page.get("Truncated"):
                return names
            marker = page["NextMarker"]

    def sign_calls(self, sign):
        """How many kms:Sign calls the local AWS received while `sign()` ran."""
        local_calls(self.endpoint, clear=True)
        sign()
        return sum(1 for c in local_calls(self.endpoint) if (c["service"], c["action"]) == ("kms", "Sign"))

    # Checks, each at a stage of the end-to-end test.

    def shaped(self, where, value):
        """`value` is a key version of this mode."""
        expected = SHAPES[self.mode]
        self.check(set(value) == expected, f"{where} has {sorted(value)}, not {sorted(expected)} ({self.mode} mode)")
        if self.mode == "secret":
            self.check(value["privateKey"].startswith("-----BEGIN "), f"{where}'s privateKey is not a PEM")

    def no_private_key_anywhere(self, when):
        """kms mode: no version of the secret holds a private key, or ever did."""
        versions = self.versions()
        holding = [v for v, text in versions.items() if text and ("privateKey" in text or "PRIVATE KEY" in text)]
        self.check(versions and not holding,
                   f"{when}: versions of the secret hold a private key in kms mode: {holding} (of {sorted(versions)})")

    def rotators_kms_key(self, where, value, token=None):
        """The KMS key `value` names is the rotator's for its key pair: Enabled,
        RSA_2048 for signing, the very public key CloudFront holds under
        keyPairId, tagged with the key group and the rotation's token and
        aliased under it. Returns the token."""
        arn = value["kmsKeyArn"]
        meta = self.metadata(arn)
        seen = (meta["Arn"], meta["KeyState"], meta["KeyUsage"], meta["KeySpec"])
        self.check(seen == (arn, "Enabled", "SIGN_VERIFY", "RSA_2048"), f"{where}'s KMS key {arn}: {seen}")
        public = self.cloudfront.get_public_key(Id=value["keyPairId"])["PublicKey"]["PublicKeyConfig"]
        named = public["Name"].removeprefix(f"{KEY_GROUP_NAME}-")
        token = token or named
        self.check(named == token,
                   f"{where}'s public key {value['keyPairId']} is named {public['Name']}, not for {token}")
        self.check(der_of(public["EncodedKey"]) == self.kms.get_public_key(KeyId=arn)["PublicKey"],
                   f"{where}: CloudFront's public key {value['keyPairId']} is not the KMS key {arn}'s")
        tags = {t["TagKey"]: t["TagValue"] for t in self.kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"]}
        self.check({k: tags.get(k) for k in (GROUP_TAG, TOKEN_TAG)} == {GROUP_TAG: KEY_GROUP_NAME, TOKEN_TAG: token},
                   f"{where}'s KMS key {arn} is tagged {tags}, not with {KEY_GROUP_NAME} and {token}")
        aliases = self.aliases(arn)
        self.check(aliases == [ALIAS_PREFIX + token], f"{where}'s KMS key {arn} has the aliases {aliases}")
        return token

    def started(self, url, sign):
        """After `make local` started: AWSCURRENT, the bootstrap's key, is of
        this mode; `url`, which loaded through the edge, is signed with it; and
        the url-signer calls kms:Sign for a signature in kms mode only
        (`sign()` asks it for a URL no cache holds). Returns AWSCURRENT."""
        version, value = self.current()
        self.shaped("AWSCURRENT after the bootstrap", value)
        self.check(key_pair_id(url) == value["keyPairId"],
                   f"the url-signer signed {url}, not with AWSCURRENT's key pair {value['keyPairId']}")
        calls = self.sign_calls(sign)
        if self.mode == "secret":
            self.check(calls == 0, f"the url-signer called kms:Sign {calls} times with a PEM key")
            return value
        self.check(calls >= 1, "the url-signer signed a new URL without calling kms:Sign")
        self.no_private_key_anywhere("after the bootstrap")
        self.rotators_kms_key("AWSCURRENT after the bootstrap", value)
        return value

    def rotated(self, token, before, new_url):
        """After `ctl rotate` (its token): AWSCURRENT is the rotation's version,
        of this mode, with another key pair (and KMS key), the one `new_url` is
        signed with; in kms mode the old KMS key, whose public key is still in
        the group, is still Enabled. Returns AWSCURRENT."""
        version, value = self.current()
        self.check(version == token, f"AWSCURRENT is {version} after the rotation {token}")
        self.shaped("AWSCURRENT after the rotation", value)
        self.check(value["keyPairId"] != before["keyPairId"] and key_pair_id(new_url) == value["keyPairId"],
                   f"after the rotation AWSCURRENT is {value['keyPairId']} (before: {before['keyPairId']}) "
                   f"and the url-signer signs with {key_pair_id(new_url)}")
        if self.mode == "kms":
            self.check(value["kmsKeyArn"] != before["kmsKeyArn"],
                       f"the rotation kept the KMS key {before['kmsKeyArn']}")
            self.rotators_kms_key("AWSCURRENT after the rotation", value, token)
            state = self.metadata(before["kmsKeyArn"])["KeyState"]
            self.check(state == "Enabled",
                       f"the KMS key of the key before the rotation, still in the group, is {state}")
            self.no_private_key_anywhere("after the rotation")
        return value

    def pruned(self, report, where):
        """A prune within every key's grace period retires no KMS key."""
        self.check(report.get("retired_kms_keys") == [], f"{where} retired KMS keys in the grace period: {report}")

    def revoked(self, report, revoked):
        """After `ctl revoke` of a key that no longer signs (`revoked`, a key
        version's value): its report; in kms mode its KMS key's deletion is
        scheduled (PendingDeletion, in DELETION_DAYS days), it signs no more,
        and its alias is gone."""
        key_id = revoked["keyPairId"]
        retired = report.get("retired_kms_keys")
        self.check(set(report) == {"revoked", "replaced_by", "retired_kms_keys"} and report["revoked"] == key_id
                   and report["replaced_by"] is None and isinstance(retired, list),
                   f"the revoke of {key_id}, not the current key, reported {report}")
        if self.mode == "secret":
            self.check(retired == [], f"a revoke in secret mode retired KMS keys: {report}")
            return
        arn = revoked["kmsKeyArn"]
        self.check(sorted(self.metadata(k)["Arn"] for k in retired) == [arn],
                   f"the revoke of {key_id} retired {retired}, not its KMS key {arn} alone")
        meta = self.metadata(arn)
        deletion = meta.get("DeletionDate")
        now = datetime.datetime.now(datetime.timezone.utc)
        days = (deletion - now).total_seconds() / 86400 if deletion else None
        self.check(meta["KeyState"] == "PendingDeletion" and days is not None
                   and DELETION_DAYS - 0.1 < days <= DELETION_DAYS,
                   f"the revoked key's KMS key {arn}: {meta['KeyState']}, deletion in {days} days")
        self.check(self.aliases(arn) == [] and not any(a.endswith(meta["KeyId"]) for a in self.aliases()),
                   f"the revoked key's KMS key {arn} still has an alias: {self.aliases(arn)}")
        try:
            self.kms.sign(KeyId=arn, Message=uuid.uuid4().bytes * 2, MessageType="DIGEST",
                          SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")
            refused = None
        except botocore.exceptions.ClientError as e:
            refused = e.response["Error"]["Code"]
        self.check(refused == "KMSInvalidStateException", f"the revoked key's KMS key {arn} signs: {refused}")

    def settled(self):
        """At the end: every version of the secret is of this mode (a key
        version, a draft, or a version RotateSecret opened and nothing wrote);
        in kms mode each KMS key a version names is Enabled and aliased while
        its public key is in the group, PendingDeletion without an alias once
        it left; in secret mode the rotator made no KMS key."""
        group = set(self.group())
        states = {}
        for version, text in self.versions().items():
            if text is None:
                continue
            value = json.loads(text)
            if version.endswith("-draft"):
                token = version.removesuffix("-draft")
                draft_key = DRAFT_KEYS[self.mode]
                self.check(set(value) == {draft_key, "replaces"}, f"the draft {version} holds {sorted(value)}")
                if self.mode == "kms":
                    self.check(value["kmsKeyAlias"] == ALIAS_PREFIX + token,
                               f"the draft {version} names the alias {value['kmsKeyAlias']}")
                continue
            self.shaped(f"the version {version}", value)
            if self.mode == "kms":
                states[value["kmsKeyArn"]] = value["keyPairId"] in group
        if self.mode == "secret":
            self.check(self.aliases() == [], f"the rotator made KMS keys in secret mode: {self.aliases()}")
            return
        wrong = {}
        for arn, in_group in states.items():
            state, aliases = self.metadata(arn)["KeyState"], self.aliases(arn)
            if (state, bool(aliases)) != (("Enabled", True) if in_group else ("PendingDeletion", False)):
                wrong[arn] = (f"{'in' if in_group else 'out of'} the group", state, aliases)
        self.check(len(states) >= 3 and not wrong, f"the KMS keys the secret names ({len(states)}): {wrong}")
