// The gallery: lists what the bucket holds under a prefix, asks the
// url-signer for signed cookies (one set for the whole prefix) or for one
// signed URL per image, then loads every image from the edge and says which
// loaded and how long the page took. No build step, no dependency.
//
// Query string: prefix (default /gallery/), view (cookies, urls, or s3: each
// image straight from the local S3 by a pre-signed URL, no edge at all),
// lifetime (seconds the signature lasts, to the second: sent as an exact
// expiresAt, which the signer never rounds; otherwise the signer's default
// lifetime, rounded to its expiry window so a repeat visit reuses the URLs),
// resource (the cookies' resource; default the prefix followed by *).
"use strict";

const params = new URLSearchParams(location.search);
const prefix = params.get("prefix") || "/gallery/";
const view = ["urls", "s3"].includes(params.get("view")) ? params.get("view") : "cookies";
const how = { cookies: "signed cookies", urls: "signed URLs", s3: "pre-signed URLs of the local S3" }[view];
const lifetime = params.has("lifetime") ? Number(params.get("lifetime")) : undefined;
const expiresAt = lifetime === undefined ? undefined : Math.floor(Date.now() / 1000) + lifetime;
const resource = params.get("resource") || prefix + "*";

for (const link of document.querySelectorAll("nav a")) {
  const target = new URLSearchParams(link.search);
  target.set("prefix", prefix);
  link.search = target.toString();
}

async function json(response, what) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(`${what} answered ${response.status}: ${body.message || body.error || "no message"}`);
  }
  return body;
}

// Cookies: one request, and the browser keeps the Set-Cookie answers for the
// edge's host (credentials: "include" lets a cross-origin answer set them).
async function signCookies(signerUrl) {
  const response = await fetch(`${signerUrl}/sign`, {
    method: "POST",
    credentials: "include",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mode: "cookies", resource, expiresAt }),
  });
  return json(response, "the signer");
}

async function signUrls(signerUrl, paths) {
  const response = await fetch(`${signerUrl}/sign`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ paths, expiresAt }),
  });
  const answer = await json(response, "the signer");
  return answer.urls.map((entry) => entry.url);
}

function show(src, path) {
  const figure = document.createElement("figure");
  const image = document.createElement("img");
  const caption = document.createElement("figcaption");
  caption.textContent = path;
  figure.append(image, caption);
  document.getElementById("images").append(figure);
  return new Promise((settle) => {
    image.onload = () => image.decode().catch(() => {}).then(() => {
      figure.className = "loaded";
      caption.textContent = `${path} (${image.naturalWidth}×${image.naturalHeight})`;
      settle({ path, loaded: true, width: image.naturalWidth });
    });
    image.onerror = () => {
      figure.className = "failed";
      caption.textContent = `${path}: refused or missing`;
      settle({ path, loaded: false, width: 0 });
    };
    image.src = src;
  });
}

async function run() {
  const config = await json(await fetch("config.json"), "the app");
  const s3 = view === "s3" ? "&s3=1" : "";
  const listing = await json(await fetch(`objects?prefix=${encodeURIComponent(prefix)}${s3}`), "the app");
  let sources;
  if (view === "s3") {
    sources = listing.s3Urls;
  } else if (view === "cookies") {
    await signCookies(config.signerUrl);
    sources = listing.paths.map((path) => config.edgeUrl + path);
  } else {
    sources = listing.paths.length ? await signUrls(config.signerUrl, listing.paths) : [];
  }
  // The page's load counts from navigation; the images' part from their first request.
  const imagesStart = performance.now();
  const images = await Promise.all(sources.map((src, i) => show(src, listing.paths[i])));
  const loaded = images.filter((image) => image.loaded).length;
  const loadMs = Math.round(performance.now());
  const imagesMs = Math.round(loadMs - imagesStart);
  return { view, prefix, edgeUrl: config.edgeUrl, images, loaded, loadMs, imagesMs };
}

const summary = document.getElementById("summary");
window.gallery = run().then(
  (result) => {
    const failed = result.images.length - result.loaded;
    summary.textContent = `${result.loaded} of ${result.images.length} images under ${prefix} loaded ` +
      `by ${how} in ${result.loadMs} ms` +
      (failed ? `; ${failed} failed` : "") + (result.images.length ? "" : " (the bucket holds nothing there)");
    summary.className = failed ? "failed" : "";
    document.documentElement.dataset.state = "done";
    return result;
  },
  (error) => {
    summary.textContent = error.message;
    summary.className = "failed";
    document.documentElement.dataset.state = "failed";
    return { view, prefix, images: [], loaded: 0, error: error.message };
  },
);
