# berth — build, try and test. `make demo` and `make test` do all the
# set-up a fresh Debian machine needs (run them as root).

GO      ?= go
TAGS    ?= seccomp
BIN     := bin/berth
BENCH   := bin/berth-bench
# The binary must live outside the storage tree (see docs/architecture.md).
export BERTH_ROOT ?= /var/lib/berth
export CGO_ENABLED := 1

# Debian packages the engine and its tests need.
DEB_PACKAGES := busybox-static libseccomp-dev pkg-config gcc

.PHONY: all setup build demo test test-go test-scenarios bench fuzz clean

all: build

setup:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	$(GO) mod download

build: setup
	$(GO) build -tags '$(TAGS)' -o $(BIN) ./cmd/berth
	$(GO) build -tags '$(TAGS)' -o $(BENCH) ./cmd/berth-bench

# The main job: the scenario suite on the embedded engine.
demo: build
	./$(BIN) test -v scenarios/

test: build test-go test-scenarios

test-go:
	$(GO) vet -tags '$(TAGS)' ./...
	$(GO) test -tags '$(TAGS)' -count=1 ./...

test-scenarios:
	./$(BIN) test scenarios/

bench: build
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench . -benchtime 20x ./runtime/...
	./$(BENCH)

# Short fuzzing of the parsers; seeds live in runtime/units/testdata/fuzz.
fuzz:
	for f in FuzzSplitWords FuzzParseDuration FuzzParseSize FuzzParseTimestamp; do \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 15s ./runtime/units || exit 1; \
	done

clean:
	rm -rf bin
