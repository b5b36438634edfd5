// @aws-sdk/cloudfront-signer's getSignedUrl on every served key of keys.json,
// given the URL a user builds from a key (the distribution's URL, `/`, the key
// as it is). Run by ./generate-peers; prints {"version", "urls": {key: signed
// URL or {"error": ...}}} on stdout.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const peers = path.join(__dirname, "..", "conformance", "node_modules");
const { getSignedUrl } = require(path.join(peers, "@aws-sdk", "cloudfront-signer"));
const { version } = require(path.join(peers, "@aws-sdk", "cloudfront-signer", "package.json"));

const DIST = "https://d111111abcdef8.cloudfront.net";
const KEY_PAIR_ID = "K2JCJMDEHXQW5F";
const EXPIRES_ISO = "2026-01-01T00:00:00Z";
const privateKey = fs.readFileSync(
  path.join(__dirname, "..", "..", "shared", "tests", "fixtures", "keys", "test-only-rsa2048.pkcs8.pem"),
  "utf8",
);

const table = JSON.parse(fs.readFileSync(path.join(__dirname, "keys.json"), "utf8"));
const urls = {};
for (const entry of table.keys) {
  if (entry.path === undefined) continue;
  try {
    urls[entry.key] = getSignedUrl({
      url: `${DIST}/${entry.key}`,
      keyPairId: KEY_PAIR_ID,
      privateKey,
      dateLessThan: EXPIRES_ISO,
    });
  } catch (e) {
    urls[entry.key] = { error: `${e.name}: ${e.message}` };
  }
}
process.stdout.write(JSON.stringify({ version, urls }));
