# The two commands of the README. Each creates or reuses .venv itself; nothing else
# needs installing by hand (PostgreSQL and the Kafka-protocol broker are embedded).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m vbpkit.launcher

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf .vbp-data
