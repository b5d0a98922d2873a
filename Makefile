# Two commands matter: `make run` and `make test`. Both install whatever is
# missing first (and only that), so they work on a fresh machine and stay
# quiet on a prepared one.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
E2E_PORT ?= 3210

# wasm-opt comes from npm's binaryen (end2end/node_modules); cargo-leptos
# would otherwise try to download it, which these machines cannot.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run demo test tools rust-tools node-tools audit-tool browser postgres build-release unit-tests lint audit e2e test-postgres bench bench-dashboard

run: tools build-release
	@if [ -n "$${DEMO:-}" ]; then exec ./end2end/demo/run.sh; fi
	@echo "Serving the release build on http://127.0.0.1:3000 (data in ./data)."
	@echo "On first start the log shows a one-time set-up link; it is also saved in data/setup-url.txt."
	TENANTRY_SITE_ROOT=target/site ./target/release/tenantry serve

# The portal beside the Entra simulator, with a sample customer tenant and
# an onboarding link, so the whole wizard can be walked offline. Same as
# `make run DEMO=1`.
demo: tools build-release
	./end2end/demo/run.sh

# Everything twice: on SQLite (the default), then on a throwaway
# PostgreSQL cluster (end2end/postgres/). Each phase's duration is printed
# at the end (and on failure), so the next slowdown is seen the day it comes.
TEST_PHASES := tools browser postgres lint audit unit-tests build-release e2e test-postgres
PHASE_TIMES := target/test-phases.txt

test:
	@mkdir -p target && : > $(PHASE_TIMES)
	@for phase in $(TEST_PHASES); do \
		started=$$(date +%s); \
		status=0; $(MAKE) --no-print-directory $$phase || status=$$?; \
		printf '%-14s %5ss\n' "$$phase" "$$(( $$(date +%s) - started ))" >> $(PHASE_TIMES); \
		if [ "$$status" -ne 0 ]; then \
			echo "make test failed in $$phase. Durations so far:"; cat $(PHASE_TIMES); exit "$$status"; \
		fi; \
	done
	@echo "make test passed. Durations:"; cat $(PHASE_TIMES)

tools: rust-tools node-tools audit-tool

rust-tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
		|| rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)" \
		|| cargo install --locked cargo-leptos --version $(CARGO_LEPTOS_VERSION)
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" \
		|| cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

node-tools: end2end/node_modules/.installed

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser:
	@command -v chromium >/dev/null || [ -x /usr/bin/chromium ] \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# Debian's PostgreSQL server, for the test pass on PostgreSQL; its own
# cluster is not used (the pass makes one in a temporary directory).
postgres:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }

# The release build is skipped when its outputs are newer than every
# input, so `make run` on an unchanged tree starts in seconds.
RELEASE_INPUTS := Cargo.toml Cargo.lock .cargo/config.toml $(shell find app server end2end/simulator migrations style public -type f 2>/dev/null)
RELEASE_OUTPUTS := target/release/tenantry target/release/entra-sim target/site/pkg/tenantry.wasm target/site/pkg/tenantry.js target/site/pkg/tenantry.css
RELEASE_STAMP := target/release/.tenantry-built

build-release:
	@for output in $(RELEASE_OUTPUTS); do [ -e "$$output" ] || rm -f $(RELEASE_STAMP); done
	@$(MAKE) --no-print-directory $(RELEASE_STAMP)

$(RELEASE_STAMP): $(RELEASE_INPUTS)
	cargo leptos build --release
	cargo build --release -p entra-simulator
	touch $@

# Formatting and lints, warnings as errors, as CI runs them.
lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

# cargo-audit takes minutes to build and is useless where its advisory
# database cannot be fetched, so the database is probed first.
ADVISORY_DB := https://github.com/rustsec/advisory-db.git

audit-tool:
	@if cargo audit --version >/dev/null 2>&1; then exit 0; fi; \
	if ! timeout 20 git ls-remote --exit-code $(ADVISORY_DB) HEAD >/dev/null 2>&1; then \
		echo "warning: the RustSec advisory database ($(ADVISORY_DB)) cannot be reached from this machine;"; \
		echo "         cargo-audit is not installed and make audit skips. Dependencies are reviewed by hand (README, Security)."; \
		exit 0; \
	fi; \
	cargo install --locked cargo-audit \
		|| echo "warning: cargo-audit could not be installed; make audit will say so and skip."

# Known vulnerabilities in Cargo.lock (RustSec). The advisory database is
# fetched from GitHub; where that is out of reach the audit is skipped
# with a warning rather than failing the build.
audit:
	./.ci/audit

unit-tests:
	cargo test --workspace

e2e:
	@if (exec 3<>/dev/tcp/127.0.0.1/$(E2E_PORT)) 2>/dev/null; then \
		echo "Port $(E2E_PORT) is already in use: stop that server (it would be an old build) or set E2E_PORT."; \
		exit 1; \
	fi
	@if (exec 3<>/dev/tcp/127.0.0.1/$$(($(E2E_PORT) + 1))) 2>/dev/null; then \
		echo "Port $$(($(E2E_PORT) + 1)) (the simulator's) is already in use."; \
		exit 1; \
	fi
	@if (exec 3<>/dev/tcp/127.0.0.1/$$(($(E2E_PORT) + 2))) 2>/dev/null; then \
		echo "Port $$(($(E2E_PORT) + 2)) (the simulator's mail server) is already in use."; \
		exit 1; \
	fi
	cd end2end && TENANTRY_E2E_PORT=$(E2E_PORT) npx playwright test

test-postgres: postgres build-release
	./end2end/postgres/with-cluster.sh ./end2end/postgres/test-pass.sh

# Verification throughput and peak memory against the simulator, with a
# serial Python baseline (BENCH_ARGS e.g. "--registrations 10000"); then a
# full sweep of 10,000 imported registrations through the server's
# scheduler with results stored (SWEEP_ARGS e.g. "--concurrency 128").
bench: build-release postgres
	@python3 -c "import requests" 2>/dev/null || python3 -m pip install --quiet requests
	cargo build --release -p bench
	./target/release/verify-bench $(BENCH_ARGS)
	./end2end/postgres/with-cluster.sh sh -c './target/release/sweep-bench --postgres "$$PG_ADMIN_URL" $(SWEEP_ARGS)'

# The dashboard at scale: 10,000 tenants, 25,000 registrations, 30 days of
# history, then the page and its data under 32 concurrent connections, idle
# and during a sweep; and the browser bundle's size (DASHBOARD_ARGS e.g.
# "--seconds 20").
bench-dashboard: build-release postgres
	cargo build --release -p bench
	./target/release/dashboard-bench $(DASHBOARD_ARGS)
	./end2end/postgres/with-cluster.sh sh -c './target/release/dashboard-bench --postgres "$$PG_ADMIN_URL" $(DASHBOARD_ARGS)'
