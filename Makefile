# custodian - thin wrapper over CMake presets. See README.md.
#   make          build ./build/custodian (dev preset)
#   make demo     install what is missing, build, generate and explore the demo county
#   make check    install what is missing, build with ASan+UBSan, run every test; then the
#                 server's tests again under ThreadSanitizer
#   make stress   the long runs: 200 crash rounds each, every fault (ASan), then wrk with 200
#                 connections and a 10-minute soak of the release build (scripts/soak)
#   make bench    release build + benchmark programs (figures for docs/benchmarks.md)
#   make fuzz     build the libFuzzer targets with clang and fuzz each for FUZZ_SECONDS
#   make install  install the release build under PREFIX (default /usr/local; DESTDIR honoured)
#   make deb      build the Debian package (build-package/custodian_*.deb)
#   make deb-check  build it, install it on a clean Debian 12 (debootstrap; root and the
#                 Debian mirror needed) and run it as its units would (scripts/deb-install-check)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
DEMO_DB ?= demo/custodian.db
PREFIX ?= /usr/local

.PHONY: all build demo check stress bench fuzz release bootstrap clean format install deb deb-check

all: build

build:
	cmake --preset dev >/dev/null
	cmake --build build -j$(JOBS)

release:
	cmake --preset release >/dev/null
	cmake --build build-release -j$(JOBS)

bootstrap:
	scripts/bootstrap

demo: bootstrap release
	scripts/demo $(DEMO_DB)

check: bootstrap
	cmake --preset asan >/dev/null
	cmake --build build-asan -j$(JOBS)
	ctest --preset asan -j$(JOBS)
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j$(JOBS)
	ctest --preset tsan -j$(JOBS)

stress: bootstrap
	cmake --preset asan >/dev/null
	cmake --build build-asan -j$(JOBS)
	ctest --preset stress
	cmake --preset release >/dev/null
	cmake --build build-release -j$(JOBS)
	scripts/soak build-release/custodian build-release/soak

bench: bootstrap release
	scripts/bench

fuzz: bootstrap
	cmake --preset fuzz >/dev/null
	cmake --build build-fuzz -j$(JOBS)
	scripts/fuzz $(FUZZ_SECONDS)

install: release
	cmake --install build-release --prefix $(PREFIX)

deb: bootstrap
	cmake --preset package >/dev/null
	cmake --build build-package -j$(JOBS) --target custodian
	cd build-package && cpack -G DEB

deb-check: deb
	scripts/deb-install-check build-package/custodian_*.deb

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan build-release build-fuzz build-package
