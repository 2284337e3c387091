# o2c: the two commands a newcomer needs.
#   make run    installs what the hub needs, then runs it on the embedded default
#   make test   installs what the tests need, starts the real servers, runs the suite
# Both are idempotent and need no input (root on Debian, as on the CI machine).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_PACKAGES := tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng chromium fonts-dejavu-core
TEST_PACKAGES := $(RUN_PACKAGES) postgresql dovecot-imapd openssh-server openssh-client

.PHONY: run test install-run install-test venv lint bench clean

run: install-run
	scripts/run.sh

test: install-test
	scripts/test.sh

install-run: venv
	scripts/install_system.sh $(RUN_PACKAGES)

install-test: venv
	scripts/install_system.sh $(TEST_PACKAGES)

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v 'is ignored' || true
	$(PY) -c "import hub, connectors, robots, matching" 
	touch $@

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy hub connectors robots matching ui scheduler.py

bench: venv
	@echo "Each benchmark runs on its own; see bench/README.md for the commands."

clean:
	rm -rf .tmp var/test-*
