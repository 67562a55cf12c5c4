# The two commands of the README. Each creates or reuses .venv itself; nothing else
# needs installing by hand (PostgreSQL and the Kafka-protocol broker are embedded).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m vbptools.launcher

# half a year told through the API on a frozen clock, in a data directory of its own
demo: $(STAMP)
	VBP_DATA_DIR=.vbp-demo VBP_CLOCK=frozen:2023-01-16T09:00 VBP_DEMO_STORY=1 $(BIN)/python -m vbptools.launcher

# one worker per core (pytest-xdist), each test file whole on one worker so that the platforms a
# file shares start once; TEST_WORKERS=0 runs everything in this process
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf .vbp-data .vbp-demo
