# dangjian-xlsx — developer and user entry points. Everything runs inside .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install office forms samples demo test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# LibreOffice (headless), its Python bridge and poppler (PDF → text/PNG for the print tests), from Debian's
# packages; needs root or sudo.
office:
	@command -v soffice >/dev/null 2>&1 && /usr/bin/python3 -c 'import uno' 2>/dev/null && command -v pdftoppm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    libreoffice-calc-nogui libreoffice-writer-nogui python3-uno fonts-noto-cjk poppler-utils >/dev/null; }

forms: install
	$(BIN)/dangjian-xlsx generate --out blank_forms

samples: install
	$(BIN)/python scripts/make_samples.py sample_submissions

demo: install
	$(BIN)/dangjian-xlsx generate --roster dangjian_xlsx/catalog/roster.csv --out demo_out/forms
	$(BIN)/dangjian-xlsx collect sample_submissions --out demo_out/汇总表.xlsx --feedback
	$(BIN)/python scripts/demo_ledger.py demo_out/汇总表.xlsx
	$(BIN)/dangjian-xlsx collect sample_submissions --out demo_out/汇总表.xlsx --feedback
	$(BIN)/dangjian-xlsx inspect sample_submissions --out demo_out/督查评分表
	@echo "退回修改通知和更正表：demo_out/退回修改/    反馈表：demo_out/反馈表/    督查评分表：demo_out/督查评分表/"

test: install
	$(BIN)/python -m pytest -n 2 -q -rs

lint: install
	$(BIN)/ruff check dangjian_xlsx tests scripts bench
	$(BIN)/ruff format --check dangjian_xlsx tests scripts bench

format: install
	$(BIN)/ruff format dangjian_xlsx tests scripts bench
	$(BIN)/ruff check --fix dangjian_xlsx tests scripts bench

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf demo_out .pytest_cache build *.egg-info
