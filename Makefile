# The README's two commands: `make demo` and `make test`. Both create .venv when absent,
# (re)install when requirements or setup.py changed, and can be re-run at will.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.groklst-installed

.PHONY: demo test install clean-demo

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) setup.py requirements/runtime.txt requirements/tests.txt
	$(PY) -m pip install --upgrade pip setuptools wheel
	$(PY) -m pip install -r requirements/runtime.txt -r requirements/tests.txt
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) tools/demo.py

test: install
	$(PY) -m pytest tests -q

clean-demo:
	rm -rf work_dirs/demo data/landsat8_demo
