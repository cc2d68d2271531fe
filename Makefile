# Two commands do everything: `make run` (dashboard on the bundled sample) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= data/warehouse.duckdb
PORT   ?= 8501

.PHONY: run test setup system-deps warehouse sample-data bench bench-browser lint clean fuzz

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

# Chromium and fonts for browser tests and chart images (Debian packages; needs root or sudo).
system-deps:
	bash scripts/install-system-deps.sh

# Build the warehouse from the bundled sample when there is none. Exit code 1 means some rows were
# rejected, which the sample does on purpose (its data-quality page has something to show).
$(DB): | setup
	$(BIN)/python -m etl registry data/reference/schools.csv --db $(DB)
	$(BIN)/python -m etl load data/sample --db $(DB) || [ $$? -eq 1 ]

warehouse: $(DB)

# Through dashboard.serve, as on a server: `streamlit run app.py` would send Streamlit's scripts uncompressed.
run: setup $(DB)
	bash scripts/install-system-deps.sh || echo "Chưa cài được Chromium: trang vẫn chạy, nhưng xuất PowerPoint/PDF cần Chromium."
	$(BIN)/python -m dashboard.serve --server.port $(PORT) --server.headless true --server.address 127.0.0.1

test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# Regenerate the bundled sample (deterministic for the seed).
sample-data: setup
	rm -rf data/sample
	$(BIN)/python -m etl sample --out data/sample --seed 2025 --schools 140
	$(BIN)/python -c "from etl.sample import write_registry_csv; from pathlib import Path; write_registry_csv(Path('data/reference/schools.csv'), 2025, 140)"

# Property-based variants of input files (tests/variants): hundreds of generated files per layout.
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/test_variants.py

bench: setup
	$(BIN)/python scripts/benchmark.py

# Only the browser part of the bench (first chart, bytes of a first visit, 10 Mbit/s): a few minutes.
bench-browser: setup
	$(BIN)/python scripts/benchmark.py --only-browser

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(DB) $(DB).* data/archive
