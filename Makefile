# frontwatch - the two commands a user needs:
#   make demo   installs what is missing (as root), builds, ingests the
#               bundled sample and prints the assessment of Kharkiv
#   make test   the same install and build, then every test (CTest)
# Other targets: build, deps, clean, sanitize (tests under ASan + UBSan).

BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DB    ?= $(BUILD)/demo.db
DEMO_DATE  ?= 2025-08-25

# Debian packages needed to build and test.
PACKAGES = cmake make gcc pkg-config libsqlite3-dev libgeos-dev libproj-dev \
           libcjson-dev libcsv-dev zlib1g-dev libssl-dev libcmocka-dev

MAKEFLAGS += --no-print-directory

.PHONY: all deps build demo test sanitize clean

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
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BUILD)/frontwatch ingest --quiet --db $(DEMO_DB) data/sample
	$(BUILD)/frontwatch assess Kharkiv --db $(DEMO_DB) --date $(DEMO_DATE)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

sanitize: deps
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DFW_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD)-asan
