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
DEB_PACKAGES := busybox-static libseccomp-dev pkg-config gcc e2fsprogs rsyslog

.PHONY: all setup build install demo test test-go test-nonroot test-scenarios lint bench fuzz clean

# staticcheck, pinned: run at this version, outside go.mod, so that the
# linter's own dependencies never move the project's.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

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

# berth --version: git describe when there is a git tree, else the
# toolchain's build info (see cmd/berth/version.go).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := $(if $(VERSION),-X main.version=$(VERSION))

# make install puts berth on PATH: $(DESTDIR)$(PREFIX)/bin/berth.
PREFIX  ?= /usr/local

build: setup
	$(GO) build -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/berth
	$(GO) build -tags '$(TAGS)' -o $(BENCH) ./cmd/berth-bench

# The main job: the scenario suite on the embedded engine.
demo: build
	./$(BIN) test -v scenarios/

test: build lint test-go test-nonroot test-scenarios

# Tests have no internet: a pull that would leave the machine fails at
# once (naming the image) instead of waiting on DNS; loopback registries work.
test-go test-nonroot test-scenarios: export BERTH_OFFLINE := 1

# vet, gofmt and staticcheck (its checks: staticcheck.conf).
lint:
	$(GO) vet -tags '$(TAGS)' ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l: these files need gofmt:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) -tags '$(TAGS)' ./...

test-go:
	$(GO) test -tags '$(TAGS)' -count=1 ./...

# The builtins' tests as nobody: the fake-backed ones need no root, and
# the real-engine ones skip. nobody gets a copy of the sources (the clone
# may sit under a directory only root can enter), a copy of the module
# cache (root's is not readable by others) and a build cache of its own.
NOBODY          := 65534
NOBODY_CACHE    := /tmp/gocache-nobody
NOBODY_PATH     := /tmp/gopath-nobody
NOBODY_MODCACHE := /tmp/gomodcache-nobody
test-nonroot:
	@modcache=$$($(GO) env GOMODCACHE); src=$$(mktemp -d /tmp/berth-nonroot.XXXXXX); \
	trap 'rm -rf "$$src"' EXIT; \
	mkdir -p $(NOBODY_CACHE) $(NOBODY_PATH) $(NOBODY_MODCACHE) && \
	cp -a -u "$$modcache/." $(NOBODY_MODCACHE)/ && \
	tar -c --exclude=./.git --exclude=./bin . | tar -x -C "$$src" && \
	chown -R $(NOBODY):$(NOBODY) "$$src" $(NOBODY_CACHE) $(NOBODY_PATH) $(NOBODY_MODCACHE) && \
	cd "$$src" && setpriv --reuid=$(NOBODY) --regid=$(NOBODY) --clear-groups \
		env HOME=/tmp GOCACHE=$(NOBODY_CACHE) GOPATH=$(NOBODY_PATH) GOMODCACHE=$(NOBODY_MODCACHE) \
		GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local PATH="$$PATH" \
		$(GO) test -tags '$(TAGS)' -count=1 ./starlib/...

test-scenarios:
	./$(BIN) test scenarios/

# The awslogs scenario's CloudWatch stand-in needs a signed request: dummy
# credentials for the SDK's default chain, unless the environment has some.
test-scenarios demo: export AWS_ACCESS_KEY_ID ?= berth-scenarios
test-scenarios demo: export AWS_SECRET_ACCESS_KEY ?= berth-scenarios

bench: build
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench . -skip 'LogThroughput|Fluentd100kLines' -benchtime 20x ./runtime/...
	# The log benchmarks write hundreds of MB a run: 3 runs each.
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench 'LogThroughput|Fluentd100kLines' -benchtime 3x ./runtime/engine
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench ReplReady -benchtime 20x ./cmd/berth
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench . ./starlib/runner/report
	./$(BENCH)

# Short fuzzing of the parsers; seeds live in runtime/units/testdata/fuzz.
fuzz:
	for f in FuzzSplitWords FuzzParseDuration FuzzParseSize FuzzParseTimestamp; do \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 15s ./runtime/units || exit 1; \
	done

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/berth

clean:
	rm -rf bin
