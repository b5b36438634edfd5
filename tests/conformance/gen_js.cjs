// Vectors from @aws-sdk/cloudfront-signer (getSignedUrl, getSignedCookies).
//
//   node gen_js.cjs          -> one JSON document on stdout: {versions, vectors, key_probes, date_probes}
//   node gen_js.cjs dates    -> date probes for this process's TZ (used by the first form)
//
// Dates are passed as ISO-8601 strings with "Z": the signer hands them to
// `new Date(...)`, which reads a number as milliseconds and an ISO date-time
// without offset as *local* time.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { getSignedUrl, getSignedCookies } = require("@aws-sdk/cloudfront-signer");

const ROOT = path.resolve(__dirname, "..", "..");
const KEYS_REL = "shared/tests/fixtures/keys";
const KEY_PAIR_ID = "K2JCJMDEHXQW5F";
const DIST = "https://d111111abcdef8.cloudfront.net";
const EXPIRES = 1767225600;
const STARTS = 1767139200;
const EXPIRES_ISO = "2026-01-01T00:00:00Z";
const STARTS_ISO = "2025-12-31T00:00:00Z";
const IP = "192.0.2.0/24";
const WILDCARD = DIST + "/images/*";

function longUrl() {
  let url = DIST + "/long";
  for (let i = 0; url.length < 980; i++) url += "/segment-" + String(i).padStart(3, "0");
  return url + "/file.bin";
}

const URLS = {
  plain: DIST + "/index.html",
  query: DIST + "/video.mp4?a=1&b=2",
  "pct-space": DIST + "/my%20file.jpg",
  "pct-utf8": DIST + "/caf%C3%A9.png",
  tilde: DIST + "/~user/profile.png",
  long: longUrl(),
  images: DIST + "/images/photo.jpg",
  // Inputs the signer rewrites before signing (see peer_normalised_url).
  "raw-space": DIST + "/my file.jpg",
  "pct-lower": DIST + "/caf%c3%a9.png",
  "raw-utf8": DIST + "/café.png",
  plus: DIST + "/a+b,c:d@e.jpg",
};

function readKey(file) {
  const full = path.join(ROOT, KEYS_REL, file);
  return file.endsWith(".der") ? fs.readFileSync(full) : fs.readFileSync(full, "utf8");
}

// Compact custom policy, conditions in the documentation's order.
function policyJson(resource, starts, ip) {
  const condition = { DateLessThan: { "AWS:EpochTime": EXPIRES } };
  if (starts !== null) condition.DateGreaterThan = { "AWS:EpochTime": starts };
  if (ip !== null) condition.IpAddress = { "AWS:SourceIp": ip };
  return JSON.stringify({ Statement: [{ Resource: resource, Condition: condition }] });
}

const KEYS = {
  rsa2048: { SHA1: "test-only-rsa2048.pkcs8.pem", SHA256: "test-only-rsa2048.pkcs1.pem" },
  p256: { SHA1: "test-only-p256.sec1.pem", SHA256: "test-only-p256.pkcs8.pem" },
};

function make(spec) {
  // spec: {name, kind, key, hash, keyFile?, url, starts, ip, via: "options"|"policy", quirk?}
  const keyFile = spec.keyFile || KEYS[spec.key][spec.hash];
  const starts = spec.starts ?? null;
  const ip = spec.ip ?? null;
  const options = { url: spec.url, keyPairId: KEY_PAIR_ID };
  let policyResource = null;
  if (spec.via === "policy") {
    policyResource = spec.resource;
    options.policy = policyJson(spec.resource, starts, ip);
  } else {
    options.dateLessThan = EXPIRES_ISO;
    if (starts !== null) options.dateGreaterThan = STARTS_ISO;
    if (ip !== null) options.ipAddress = ip;
  }
  if (spec.hash === "SHA256") options.algorithm = "SHA256";
  const call = { ...options, privateKey: readKey(keyFile) };
  const v = {
    name: spec.name, peer: "js", kind: spec.kind, key: spec.key, key_file: keyFile, hash: spec.hash,
    url: spec.url, expires: EXPIRES, starts, ip, policy_resource: policyResource,
    expect_policy: spec.via === "policy" || starts !== null || ip !== null ? "custom" : "canned",
    peer_options: options,
  };
  if (spec.quirk) v.quirk = spec.quirk;
  if (spec.kind === "url") v.signed_url = getSignedUrl(call);
  else v.cookies = getSignedCookies(call);
  return v;
}

function vectors() {
  const out = [];
  const add = (s) => out.push(make(s));
  for (const key of ["rsa2048", "p256"]) {
    for (const hash of ["SHA1", "SHA256"]) {
      const p = `js-%s-${key}-${hash.toLowerCase()}-`;
      const n = (kind, rest) => p.replace("%s", kind) + rest;
      add({ name: n("url", "canned-plain"), kind: "url", key, hash, url: URLS.plain });
      add({ name: n("url", "canned-query"), kind: "url", key, hash, url: URLS.query });
      add({ name: n("url", "custom-start-ip"), kind: "url", key, hash, url: URLS.plain, starts: STARTS, ip: IP });
      add({ name: n("url", "custom-wildcard-policy"), kind: "url", key, hash, url: URLS.images, via: "policy",
            resource: WILDCARD });
      add({ name: n("cookies", "canned-plain"), kind: "cookies", key, hash, url: URLS.plain });
      add({ name: n("cookies", "custom-start-ip"), kind: "cookies", key, hash, url: URLS.plain, starts: STARTS, ip: IP });
      add({ name: n("cookies", "custom-start-ip-wildcard-policy"), kind: "cookies", key, hash, url: URLS.images,
            via: "policy", resource: WILDCARD, starts: STARTS, ip: IP });
    }
  }
  const r = { key: "rsa2048", hash: "SHA1" };
  for (const label of ["pct-space", "pct-utf8", "tilde", "long"]) {
    add({ ...r, name: `js-url-rsa2048-sha1-canned-${label}`, kind: "url", url: URLS[label] });
  }
  add({ ...r, name: "js-url-rsa2048-sha1-canned-plain-keyfile-pkcs1", kind: "url", url: URLS.plain,
        keyFile: "test-only-rsa2048.pkcs1.pem" });
  add({ ...r, name: "js-url-rsa2048-sha1-custom-start", kind: "url", url: URLS.plain, starts: STARTS });
  add({ ...r, name: "js-url-rsa2048-sha1-custom-ip", kind: "url", url: URLS.plain, ip: IP });
  add({ ...r, name: "js-url-rsa2048-sha1-custom-start-query", kind: "url", url: URLS.query, starts: STARTS });
  add({ ...r, name: "js-url-rsa2048-sha1-custom-start-ip-wildcard-policy", kind: "url", url: URLS.images,
        via: "policy", resource: WILDCARD, starts: STARTS, ip: IP });
  add({ ...r, name: "js-cookies-rsa2048-sha1-custom-wildcard-policy", kind: "cookies", url: URLS.images,
        via: "policy", resource: WILDCARD });
  add({ ...r, name: "js-cookies-rsa2048-sha1-custom-start", kind: "cookies", url: URLS.plain, starts: STARTS });
  add({ ...r, name: "js-url-rsa2048-sha1-custom-bare-ip", kind: "url", url: URLS.plain, ip: "192.0.2.1",
        quirk: "bare IPv4 address given; the JS signer appends /32 in the policy" });
  for (const label of ["raw-space", "pct-lower", "raw-utf8", "plus"]) {
    add({ ...r, name: `js-url-rsa2048-sha1-canned-normalised-${label}`, kind: "url", url: URLS[label],
          quirk: "the JS signer re-encodes each path segment (encodeURIComponent(decodeURIComponent(seg))) " +
                 "and signs the rewritten URL; see peer_normalised_url" });
  }
  return out;
}

function keyProbes() {
  const names = fs.readdirSync(path.join(ROOT, KEYS_REL))
    .filter((n) => n.startsWith("test-only-") && !n.endsWith(".public.pem")).sort();
  const out = [];
  for (const n of names) {
    for (const algorithm of ["SHA1", "SHA256"]) {
      let outcome;
      try {
        getSignedUrl({ url: URLS.plain, keyPairId: KEY_PAIR_ID, privateKey: readKey(n), dateLessThan: EXPIRES_ISO,
                       algorithm });
        outcome = "signed";
      } catch (e) {
        outcome = "error: " + e.message;
      }
      out.push({ peer: "js", key_file: n, hash: algorithm, outcome });
    }
  }
  return out;
}

function dateProbes() {
  const forms = ["2026-01-01", "2026-01-01T00:00:00", "2026-01-01T02:00:00+02:00", "1767225600",
                 1767225600, 1767225600000, "2026-01-01T00:00:00Z", "2026-01-01 00:00:00",
                 "2026-01-01T00:00:00.600Z", "20260101"];
  const key = readKey(KEYS.rsa2048.SHA1);
  return forms.map((form) => {
    const probe = { peer: "js", input: form, tz: process.env.TZ || null, expires: null, error: null };
    try {
      const signed = getSignedUrl({ url: URLS.plain, keyPairId: KEY_PAIR_ID, privateKey: key, dateLessThan: form });
      probe.expires = Number(/[?&]Expires=(\d+)/.exec(signed)[1]);
    } catch (e) {
      probe.error = e.message;
    }
    return probe;
  });
}

function main() {
  if (process.argv[2] === "dates") {
    process.stdout.write(JSON.stringify(dateProbes()));
    return;
  }
  const dates = [];
  for (const tz of ["UTC", "Asia/Kolkata"]) {
    const out = execFileSync(process.execPath, [__filename, "dates"], { env: { ...process.env, TZ: tz } });
    dates.push(...JSON.parse(out));
  }
  const pkg = JSON.parse(fs.readFileSync(require.resolve("@aws-sdk/cloudfront-signer/package.json"), "utf8"));
  const versions = {
    "@aws-sdk/cloudfront-signer": pkg.version,
    node: process.versions.node,
    node_openssl: process.versions.openssl,
  };
  process.stdout.write(JSON.stringify({ versions, vectors: vectors(), key_probes: keyProbes(), date_probes: dates }));
}

main();
