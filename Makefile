# The two commands a user needs: `make local` (the whole system on this machine)
# and `make test` (every check and test). Everything else here serves them.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo

.PHONY: local build test fmt-check clippy cargo-test backend-tests feature-builds conformance-check local-aws-test over-http template-lint viewer-request-test local-stack-test tools bench bench-browser

test: tools fmt-check clippy feature-builds cargo-test backend-tests conformance-check local-aws-test over-http template-lint viewer-request-test local-stack-test

# The local AWS, seeded as a first deploy, and the three functions on loopback; Ctrl-C stops it.
# `make local SIGNING_KEY_SOURCE=kms`: every key pair made in the local KMS,
# signing through kms:Sign (LOCAL_STACK_SIGNING_KEY_SOURCE; secret when unset).
local: tools
	@$(if $(SIGNING_KEY_SOURCE),LOCAL_STACK_SIGNING_KEY_SOURCE='$(SIGNING_KEY_SOURCE)' )tests/local-stack/run

# The three functions for Lambda (arm64, provided.al2023) into .aws-sam/build,
# ready for `sam deploy`: the pinned SAM CLI with cargo-lambda and zig from PyPI.
build: tools
	rustup --quiet target add aarch64-unknown-linux-gnu
	tests/template/sam build

# What the tests need beyond cargo: Debian's openssl (independent signature
# checks), nodejs (the CloudFront Function's test), chromium (the gallery's
# browser tests) and python3-venv (every Python tool lives in a venv), with
# sudo when not root; rustfmt and clippy for fmt-check and clippy, when rustup
# manages the toolchain.
tools:
	@missing=(); \
	command -v openssl >/dev/null || missing+=(openssl); \
	command -v node >/dev/null || missing+=(nodejs); \
	command -v chromium >/dev/null || missing+=(chromium); \
	python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv); \
	if (( $${#missing[@]} )); then \
	  sudo=; [[ "$$(id -u)" == 0 ]] || sudo=sudo; \
	  echo "installing $${missing[*]}" >&2; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq "$${missing[@]}" >/dev/null; \
	fi
	@command -v rustup >/dev/null || exit 0; \
	installed="$$(rustup component list --installed)"; \
	for component in rustfmt clippy; do \
	  grep -q "^$$component-" <<<"$$installed" || rustup component add "$$component"; \
	done

fmt-check:
	$(CARGO) fmt --all --check

# cfsign is the one crate with optional features (its backends); the rest of the
# workspace compiles the same code whichever backend cfsign has.
clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p cfsign --all-targets --all-features -- -D warnings

# The default build must stay free of the rsa crate (RUSTSEC-2023-0071), and
# the pure-Rust backend must build on its own.
# `cargo tree -i rsa` fails both when rsa is absent (the wanted case) and for
# any other reason, so only its "did not match" answer passes; and it names rsa
# even when -p is wrong, so cfsign's own tree is resolved first.
feature-builds:
	@$(CARGO) tree -p cfsign -e normal >/dev/null
	@if out="$$($(CARGO) tree -p cfsign -e normal -i rsa 2>&1)"; then \
	  echo "rsa is in the default build:" >&2; echo "$$out" >&2; exit 1; \
	fi; \
	grep -qF 'package ID specification `rsa` did not match any packages' <<<"$$out" || { echo "$$out" >&2; exit 1; }
	$(CARGO) check -p cfsign --no-default-features --features rust-crypto,cli

cargo-test:
	$(CARGO) test --workspace --all-features

# The signing crate as it ships with one backend alone: its tests, and the
# other backend refused by name (cargo-test builds both in).
backend-tests:
	$(CARGO) test -p cfsign --no-default-features --features aws-lc,cli
	$(CARGO) test -p cfsign --no-default-features --features rust-crypto,cli

# The committed peer vectors (shared/tests/fixtures/peer-vectors.json)
# re-checked with openssl alone (check.py: standard library only), apart
# from the Rust code that reads them: a vector broken by hand or by a bad
# regeneration fails here.
conformance-check: ; python3 tests/conformance/check.py

local-aws-test:
	tests/local-aws/test

# template.yaml through sam validate --lint, cfn-lint, checkov, the SAM
# transform and its own assertions (tests/template/test_hardening.py).
template-lint: ; tests/template/lint

# The template's CloudFront Function (ViewerRequestGuard), run by Node against
# every path of tests/viewer-request/hostile-paths.json.
viewer-request-test: ; node --test tests/viewer-request/

# The functions served by `cargo lambda watch` and called over HTTP.
over-http:
	functions/url-signer/tests/over-http

# `make local` driven end to end: sign, verify, upload, invalidate, rotate,
# and load through the local edge (cache, purge, rotation, revoke, refusals);
# twice, once for each key source (SIGNING_KEY_SOURCE=secret, then kms).
local-stack-test:
	tests/local-stack/test

# Signing speed against `openssl speed` (recorded in BENCHMARKS.md), then
# criterion; the url-signer's signature cache; the local edge's requests per
# second and throughput; then, as root only (it makes a network namespace and
# TUN devices), the browser's load of 25 large images over HTTP/1.1, HTTP/2
# and HTTP/3.
bench:
	shared/benches/compare-openssl 5
	$(CARGO) bench -p cfsign --all-features --bench signing
	$(CARGO) bench -p url-signer --bench signature_cache
	$(CARGO) bench -p local-edge --bench edge
	@if [[ "$$(id -u)" == 0 ]]; then $(MAKE) --no-print-directory bench-browser; \
	else echo "bench-browser skipped: it runs as root (a network namespace and TUN devices)" >&2; fi

# The loading experiment in headless Chromium (tests/bench-browser/bench.py):
# prints the table and draws tests/bench-browser/load-time.png.
bench-browser: tools
	tests/bench-browser/run
