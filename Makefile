# frontwatch - the two commands a user needs:
#   make demo   installs what is missing (as root), builds, ingests the
#               bundled sample and prints the assessment of Kharkiv
#   make test   the same install and build, then every test (CTest), again
#               under ASan + UBSan, and the unit tests under valgrind
# Other targets: build, deps, web-deps (npm ci --prefix web), clean, sanitize (tests under ASan + UBSan),
# fuzz (each libFuzzer harness for FUZZ_SECONDS),
# install (the program, its man page, the systemd units and the docs under
# PREFIX, default /usr/local; DESTDIR honoured), uninstall (removes what
# install put there, listed in $(BUILD)/install_manifest.txt).

BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DB    ?= $(BUILD)/demo.db
DEMO_DATE  ?= 2025-08-25

# Debian packages needed to build and test.
PACKAGES = cmake make gcc pkg-config libsqlite3-dev libgeos-dev libproj-dev \
           libcjson-dev libcsv-dev zlib1g-dev libssl-dev libcmocka-dev \
           liblinear-dev libxgboost-dev libcivetweb-dev libcurl4-openssl-dev \
           libshp-dev ca-certificates

MAKEFLAGS += --no-print-directory

.PHONY: all deps build demo test web-deps sanitize clean install uninstall

all: build

deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing Debian packages. Run:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DFW_WERROR=ON \
	    >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BUILD)/frontwatch ingest --quiet --db $(DEMO_DB) data/sample
	$(BUILD)/frontwatch assess Kharkiv --db $(DEMO_DB) --date $(DEMO_DATE)

# Three stages (scripts/test_stages.sh): CTest on $(BUILD); CTest on
# $(ASAN_BUILD), built with AddressSanitizer and UBSan; the unit tests but
# the `slow` ones under valgrind --leak-check=full. About 25 minutes on 2
# cores; the last line is "test: N passed, N failed".
ASAN_BUILD    ?= $(BUILD)-asan
# chromium drives the dashboard's browser test, xmllint checks every CAP
# alert against the OASIS schema, curl and python3 run docs/API.md's
# examples and check docs/openapi.yaml against the server.
TEST_PACKAGES  = valgrind time groff-base chromium libxml2-utils curl python3

test: deps
	@$(MAKE) deps PACKAGES="$(TEST_PACKAGES)"
	@$(MAKE) web-deps
	@$(MAKE) build
	@scripts/test_stages.sh $(BUILD) $(ASAN_BUILD) $(JOBS)

# The dashboard's pinned npm files (web/package-lock.json: Leaflet, uPlot,
# playwright-core for the browser test). Without npm, or when the registry
# cannot be reached, the build serves the API only and the browser test is
# skipped with the reason; nothing else depends on them.
web-deps:
	@if [ -d web/node_modules/leaflet ] && [ -d web/node_modules/uplot ] && \
	    [ -d web/node_modules/playwright-core ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix web --no-audit --no-fund --loglevel=error || \
	    echo "npm ci --prefix web failed: no dashboard files, browser test skipped"; \
	else \
	  echo "npm not found (Node.js 20 or newer with npm): no dashboard files, browser test skipped"; \
	fi

sanitize: deps
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DFW_SANITIZE=ON \
	    -DFW_WERROR=ON >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD)-asan

# Fuzzing (fuzz/README.md): builds the libFuzzer harnesses with clang in
# $(FUZZ_BUILD) (installing clang when root) and runs each for
# FUZZ_SECONDS with its seed corpus, two at a time; new inputs and
# findings go to $(FUZZ_BUILD)/work, never into fuzz/corpus.
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    ?= build-fuzz
FUZZ_PACKAGES  = clang libclang-rt-14-dev
.PHONY: fuzz
fuzz: deps
	@$(MAKE) deps PACKAGES="$(FUZZ_PACKAGES)"
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DFW_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_BUILD)/work

# Benchmarks against PostGIS, GeoPandas and pandas (issue 4): about 5
# minutes on the full data in ../shared/data; installs the peers' Debian
# packages when root; prints the table and writes docs/BENCHMARKS.md.
.PHONY: bench
bench: build
	bench/run --bin $(BUILD)

# Install (contrib/README.md): `cmake --install` of $(BUILD) under PREFIX,
# into DESTDIR when set (for packaging: make install DESTDIR=/tmp/pkg).
# The systemd units go to PREFIX/lib/systemd/system (cmake
# -DFW_SYSTEMD_UNITDIR=... to change), the cron job only with
# -DFW_INSTALL_CRON=ON. uninstall removes every file of the last install
# from $(BUILD), as listed in $(BUILD)/install_manifest.txt, under the
# same DESTDIR; folders are left.
PREFIX ?= /usr/local
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

uninstall:
	@manifest=$(BUILD)/install_manifest.txt; \
	if [ ! -f "$$manifest" ]; then \
	  echo "nothing to uninstall: no $$manifest (make install writes it)"; \
	  exit 1; \
	fi; \
	n=0; \
	while IFS= read -r f || [ -n "$$f" ]; do \
	  [ -n "$$f" ] || continue; \
	  p="$(DESTDIR)$$f"; \
	  if [ -e "$$p" ] || [ -L "$$p" ]; then \
	    rm -f -- "$$p" && echo "removed $$p" && n=$$((n + 1)); \
	  else \
	    echo "not there: $$p"; \
	  fi; \
	done < "$$manifest"; \
	echo "uninstall: $$n files removed"
