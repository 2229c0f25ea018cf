# dangjian-xlsx — developer and user entry points. Everything runs inside .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install office browser serve forms samples demo demo-pdf test lint format bench bench-province fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# LibreOffice (headless), its Python bridge and poppler (PDF → text/PNG for the print tests), from Debian's
# packages; needs root or sudo.
# Each part is checked on its own (Calc's and Writer's libraries, the bridge, poppler, a Chinese font): a machine
# with Calc but without Writer (the .docx/.pdf report tests need it) installs the missing packages too.
LO_PROGRAM := /usr/lib/libreoffice/program
office:
	@command -v soffice >/dev/null 2>&1 && /usr/bin/python3 -c 'import uno' 2>/dev/null && command -v pdftoppm >/dev/null 2>&1 \
	  && [ -e $(LO_PROGRAM)/libsclo.so ] && [ -e $(LO_PROGRAM)/libswlo.so ] && fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    libreoffice-calc-nogui libreoffice-writer-nogui python3-uno fonts-noto-cjk poppler-utils >/dev/null; }

# Debian's Chromium for the page's browser tests (Playwright drives it by its path; no browser download).
browser:
	@[ -x /usr/bin/chromium ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium fonts-noto-cjk >/dev/null; }

# The page over a round folder (demo_out/本轮): `make serve` opens it in the browser.
serve: install
	$(BIN)/dangjian-xlsx serve demo_out/本轮

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

# The demo's outputs printed by LibreOffice (needs `make office`): PDFs and a PNG of every page in demo_out/pdf/.
demo-pdf: demo
	$(BIN)/python scripts/demo_pdf.py demo_out

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

# The province: 10,000 real returns (5,000 党总支, prepared once with LibreOffice and cached in bench/out/) collected
# on this machine's cores, against the targets (under 30 s, under 400 MB), and its growth from 1,000 files.
bench-province: install
	$(BIN)/python bench/run.py --province

# The long fuzzing run: 10,000 seeded mutants of filled forms (.xlsx/.xls/.ods) collected through the library and
# the command line (scripts/fuzz.py; tests/test_fuzz.py runs 300 of them); the last result is in the README (模糊测试).
fuzz: install
	$(BIN)/python scripts/fuzz.py 10000

clean:
	rm -rf demo_out .pytest_cache build *.egg-info
