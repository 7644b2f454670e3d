# Two commands do everything: `make run` (serve the app) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test test-tools demo bench clean

$(VENV)/.installed: pyproject.toml
	@python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; \
	  else echo 'Please install python3-venv first: sudo apt-get install python3-venv'; exit 1; fi; }
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(PY) -m conton run

# Programs the tests run (a real browser, the boleto barcode reader, poppler) and their Debian packages.
TEST_TOOLS := chromium chromedriver zbarimg pdftoppm pdftotext pdfinfo
TEST_PACKAGES := chromium chromium-driver zbar-tools poppler-utils

test: test-tools $(VENV)/.installed
	$(PY) -m pytest -q -n 2  # two workers (pytest-xdist); PostgreSQL gets one database per worker

test-tools:
	@missing=; for tool in $(TEST_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(TEST_PACKAGES); \
	  else echo "The tests need$$missing. Please install them first: sudo apt-get install $(TEST_PACKAGES)"; exit 1; fi; fi

demo: $(VENV)/.installed
	$(PY) -m conton demo

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache
