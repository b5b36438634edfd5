# The two commands a user needs: `make local` (the whole system on this machine)
# and `make test` (every check and test). Everything else here serves them.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo

.PHONY: local test fmt-check clippy cargo-test feature-builds local-aws-test over-http template-lint local-stack-test tools bench

test: tools fmt-check clippy feature-builds cargo-test local-aws-test over-http template-lint local-stack-test

# The local AWS, seeded as a first deploy, and the three functions on loopback; Ctrl-C stops it.
local: tools
	@tests/local-stack/run

# Debian tools the tests call: openssl (independent signature checks).
tools:
	@command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The default build must stay free of the rsa crate (RUSTSEC-2023-0071), and
# the pure-Rust backend must build on its own.
feature-builds:
	@if $(CARGO) tree -p cfsign -e normal -i rsa >/dev/null 2>&1; then echo "rsa is in the default build" >&2; exit 1; fi
	$(CARGO) check -p cfsign --no-default-features --features rust-crypto,cli

cargo-test:
	$(CARGO) test --workspace --all-features

local-aws-test:
	tests/local-aws/test

# template.yaml through sam validate --lint, cfn-lint, checkov and the SAM transform.
template-lint: ; tests/template/lint

# The functions served by `cargo lambda watch` and called over HTTP.
over-http:
	functions/url-signer/tests/over-http

# `make local` driven end to end: sign, verify, upload, invalidate, rotate.
local-stack-test:
	tests/local-stack/test

# Signing speed against `openssl speed` (recorded in BENCHMARKS.md), then criterion.
bench:
	shared/benches/compare-openssl 5
	$(CARGO) bench -p cfsign --all-features --bench signing
