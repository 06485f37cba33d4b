# fabric: see README.md. Every target prints the time of each stage.
SHELL := /bin/bash
STAGE := bash scripts/stage.sh
FABRIC := node bin/fabric.js
LAB ?= mtdc

.PHONY: deps deps-netns deps-lab npm-deps build typecheck lint test test-unit test-integration lab-up lab-down bench fuzz soak guest clean

# Debian packages (root) and npm packages; `npm-deps` alone needs neither root nor apt.
# `deps` is everything `make test` needs; `deps-netns` only what a netns lab needs.
deps:
	@$(STAGE) deps bash scripts/install-deps.sh all

deps-netns:
	@$(STAGE) deps bash scripts/install-deps.sh netns

# The reference lab: netns plus QEMU for its virtual hypervisors (no docker, no chromium).
deps-lab:
	@$(STAGE) deps bash scripts/install-deps.sh netns vm

npm-deps:
	@$(STAGE) npm-deps bash scripts/install-deps.sh --npm-only

build: npm-deps
	@$(STAGE) build npx tsc -p tsconfig.json

typecheck: build
	@$(STAGE) typecheck npx tsc -p tsconfig.tests.json

# Format, lint (sizes included) and layering: no module cycle and no cycle between folders of src/.
lint: npm-deps
	@$(STAGE) format npx prettier --check --log-level warn 'src/**/*.{ts,mjs}' 'tests/**/*.ts' 'bench/**/*.ts' 'bin/*.js' 'scripts/*.mjs'
	@$(STAGE) eslint npx eslint src tests bench bin scripts
	@$(STAGE) layers bash -c 'npx depcruise src --config .dependency-cruiser.cjs --output-type err && node scripts/check-layers.mjs'

# Unit tests: no root, no apt, well under a minute.
test-unit: typecheck
	@$(STAGE) unit npx mocha --config .mocharc.json 'tests/unit/**/*.test.ts'

test-integration: deps build
	@$(STAGE) integration bash scripts/integration.sh

test: deps lint test-unit test-integration
	@echo "make test: all stages passed"

# On a lab with hypervisors `fabric up` also builds the guest image on first use, boots the
# virtual hypervisors and asks the customer VMs from every DC, each a stage with its time.
lab-up: deps-lab build
	@$(STAGE) lab-up $(FABRIC) up labs/$(LAB)/fabric.yml

lab-down: deps-netns build
	@$(STAGE) lab-down $(FABRIC) down $(LAB)

bench: deps build
	@$(STAGE) bench npx tsx bench/run.ts

# Capture + decoder fuzz target at scale (1M cases; FUZZ_CASES, FUZZ_SEED), outside `make test`.
fuzz: npm-deps
	@$(STAGE) fuzz npx tsx tests/fuzz/run.ts

# Soak (root, outside `make test`): up → test → down cycles of the reference lab, then failover
# and fail-back cycles (FABRIC_SOAK_CYCLES, FABRIC_SOAK_FAILOVERS, FABRIC_SOAK_MAX_S). Both run on
# the netns runtime with the lab's QEMU guests: no docker, no chromium.
soak: deps-lab build
	@$(STAGE) soak npx tsx tests/soak/run.ts

# The QEMU guest image (Debian kernel + busybox initramfs with the host's ip and bridge), cached
# under .cache/guest.
guest: deps-lab build
	@$(STAGE) guest node dist/vm/build-image.js

clean:
	rm -rf dist reports
