# fabric: see README.md. Every target prints the time of each stage.
SHELL := /bin/bash
STAGE := bash scripts/stage.sh
FABRIC := node bin/fabric.js
LAB ?= mtdc

.PHONY: deps build typecheck test test-unit test-integration lab-up lab-down bench guest clean

deps:
	@$(STAGE) deps bash scripts/install-deps.sh

build: deps
	@$(STAGE) build npx tsc -p tsconfig.json

typecheck: build
	@$(STAGE) typecheck npx tsc -p tsconfig.tests.json

test-unit: typecheck
	@$(STAGE) unit npx mocha --config .mocharc.json 'tests/unit/**/*.test.ts'

test-integration: build
	@$(STAGE) integration bash scripts/integration.sh

test: test-unit test-integration
	@echo "make test: all stages passed"

lab-up: build
	@$(STAGE) lab-up $(FABRIC) up labs/$(LAB)/fabric.yml

lab-down: build
	@$(STAGE) lab-down $(FABRIC) down $(LAB)

bench: build
	@$(STAGE) bench npx tsx bench/run.ts

# The QEMU guest image (Debian kernel + busybox initramfs), cached under .cache/guest.
guest: build
	@$(STAGE) guest node dist/vm/build-image.js

clean:
	rm -rf dist reports
