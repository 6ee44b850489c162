# Neural Networks from Scratch: the two commands are `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# One BLAS thread: the course's matrices are small, and with two threads OpenBLAS slows down
# 15-70x as soon as anything else shares the cores (a shared JupyterHub, a busy laptop).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
# JupyterLab refuses to run as root unless told that it is intended.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab test classroom data exercises nbgrader notebooks results slides slides-metadata normalize bench links clean help
help:
	@echo "make lab        open the course in JupyterLab (sets everything up first)"
	@echo "make test       run the unit tests and execute every notebook (nbval)"
	@echo "make exercises  build the student edition and solutions into student/"
	@echo "make nbgrader   build an nbgrader course (one assignment per lesson) into build/nbgrader/"
	@echo "make notebooks  re-execute the lessons in place and save their outputs"
	@echo "make results    recompute the cached sweeps in course_lib/results/ (long), then the lessons"
	@echo "make slides     build offline reveal.js decks of the lessons into build/slides/"
	@echo "make normalize  normalize the lessons' metadata and execution counts (outputs kept)"
	@echo "make bench      benchmark course_lib on the seed's Fashion-MNIST model"
	@echo "make classroom  N learners run a lesson at once on a local JupyterHub (N=5 LESSON=06)"
	@echo "make links      point the README's Binder/Colab/JupyterHub links at this repository"

# Create or refresh the virtual environment whenever the dependencies change. `make lab` installs
# course_lib with its [lab] extra (JupyterLab, live slides); `make test` adds the [test] extra.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	@# nbgrader, a test dependency, would add instructor menus to every learner's JupyterLab.
	-$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	for e in formgrader validate_assignment assignment_list course_list; do \
		$(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.$$e >/dev/null 2>&1 || true; done
	touch $(TEST_STAMP)

data: $(STAMP)
	@tools/ensure_data.sh $(BIN)/python

lab: $(STAMP) data
	env -u MPLBACKEND $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

# One pytest call: unit tests, the lessons, the student edition, and the lessons again under a
# second BLAS configuration with the rounding canary on (conftest.py explains .rounding-check/).
test: $(TEST_STAMP) data
	rm -rf .student-edition .rounding-check
	$(BIN)/python -m course_lib.exercises --dest .student-edition --no-html
	mkdir .rounding-check && cp notebooks/[0-9][0-9]_*.ipynb .rounding-check/
	env -u MPLBACKEND $(BIN)/python -m pytest --durations=12 --nbval-lax --nbval-current-env \
		tests notebooks .student-edition/[0-9][0-9]_*.ipynb .rounding-check/[0-9][0-9]_*.ipynb

exercises: $(STAMP)
	$(BIN)/python -m course_lib.exercises

nbgrader: $(TEST_STAMP)
	$(BIN)/python -m course_lib.exercises --nbgrader build/nbgrader

notebooks: $(STAMP) data
	$(BIN)/python tools/execute_notebooks.py
	$(BIN)/python tools/slides.py metadata
	$(BIN)/python tools/normalize_notebooks.py

# The lessons' long sweeps, recomputed into the package's shipped copies (lessons 07 and 08).
results: $(STAMP) data
	COURSE_RECOMPUTE=1 COURSE_RESULTS_DIR=$(CURDIR)/course_lib/results \
		$(BIN)/python tools/execute_notebooks.py notebooks/07_*.ipynb notebooks/08_*.ipynb
	$(BIN)/python tools/slides.py metadata
	$(BIN)/python tools/normalize_notebooks.py

# Slide types for RISE and the static decks (idempotent; also part of `make notebooks`).
slides-metadata: $(STAMP)
	$(BIN)/python tools/slides.py metadata

# Offline decks: reveal.js, MathJax and the widget renderer are fetched once with npm.
slides: $(STAMP)
	$(BIN)/python tools/slides.py build

# Diffable notebooks: drop run-specific metadata, renumber execution counts, keep outputs.
normalize: $(STAMP)
	$(BIN)/python tools/normalize_notebooks.py

bench: $(STAMP) data
	$(BIN)/python benchmarks/bench_train.py --threads 1

# A class on a local JupyterHub: N learners run one lesson at once (README, "Running the course
# for a class"). make classroom N=20 LESSON=06
classroom: $(TEST_STAMP) data
	$(BIN)/python benchmarks/classroom.py --learners $(or $(N),5) --lesson $(or $(LESSON),06)

# Binder badge, Colab cell and nbgitpuller link: the address of git's origin, or REPO=owner/name.
links:
	$(PYTHON) tools/repo_links.py $(REPO)

clean:
	rm -rf $(VENV) student build .pytest_cache .student-edition .rounding-check
