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

.PHONY: lint lab lab-zh zh translations exercises-zh slides-zh test classroom data exercises nbgrader notebooks results slides slides-metadata normalize bench links clean help
help:
	@echo "make lab        open the course in JupyterLab (sets everything up first)"
	@echo "make test       run the unit tests and execute every notebook (nbval)"
	@echo "make lint       ruff over course_lib, tests, tools, benchmarks and the lessons' code"
	@echo "make data       find or download Fashion-MNIST (make lab and make test do it first)"
	@echo "make zh         build and execute the 中文 edition into build/zh_CN/notebooks/"
	@echo "make lab-zh     open the 中文 edition in JupyterLab, its interface in Chinese too"
	@echo "make translations  sync i18n/zh_CN/*.po with the English (then translate what is new)"
	@echo "make exercises-zh / slides-zh  the student edition / the decks, in Chinese"
	@echo "make exercises  build the student edition and solutions into student/"
	@echo "make nbgrader   build an nbgrader course (one assignment per lesson) into build/nbgrader/"
	@echo "make notebooks  re-execute the lessons in place and save their outputs"
	@echo "make results    recompute the cached sweeps in course_lib/results/ (long), then the lessons"
	@echo "make slides     build offline reveal.js decks of the lessons into build/slides/"
	@echo "make slides-metadata  set the lessons' slide types for RISE and the decks (no re-execution)"
	@echo "make normalize  normalize the lessons' metadata and execution counts (outputs kept)"
	@echo "make bench      benchmark course_lib on the seed's Fashion-MNIST model"
	@echo "make classroom  N learners run a lesson at once on a local JupyterHub (N=5 LESSON=06)"
	@echo "make links      point the README's Binder/Colab/JupyterHub links at this repository"
	@echo "make clean      remove the virtual environment and everything built or left by the tests"
	@echo "make help       this list"

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

# The 中文 edition, generated from the English lessons and i18n/zh_CN/*.po (tools/i18n.py), then
# executed so that its figures and printed text are in Chinese. Rebuilt only when a source changed.
ZH := build/zh_CN
ZH_SOURCES := $(wildcard notebooks/[0-9][0-9]_*.ipynb i18n/zh_CN/*.po) i18n/terms.tsv course_lib/locale/zh_CN.json
$(ZH)/.built: $(STAMP) $(ZH_SOURCES)
	@tools/ensure_font.sh
	$(BIN)/python tools/i18n.py build --dest $(ZH)/notebooks
	env -u MPLBACKEND $(BIN)/python tools/execute_notebooks.py $(ZH)/notebooks/[0-9][0-9]_*.ipynb
	touch $@

zh: $(ZH)/.built

lab-zh: $(STAMP) data zh
	$(BIN)/python -m pip install --quiet -e ".[zh]"
	mkdir -p $(ZH)/user-settings/@jupyterlab/translation-extension
	echo '{"locale": "zh_CN"}' > $(ZH)/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings
	env -u MPLBACKEND JUPYTERLAB_SETTINGS_DIR=$(CURDIR)/$(ZH)/user-settings $(BIN)/jupyter lab \
		--ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(ZH)/notebooks $(ROOT_FLAG)

translations: $(STAMP)
	$(BIN)/python tools/i18n.py update
	$(BIN)/python tools/i18n.py glossary
	$(BIN)/python tools/i18n.py stats

exercises-zh: zh
	$(BIN)/python -m course_lib.exercises --src $(ZH)/notebooks --dest student-zh

slides-zh: zh
	$(BIN)/python tools/slides.py build $(ZH)/notebooks/[0-9][0-9]_*.ipynb --out $(ZH)/slides

# One pytest call: unit tests; the lessons; the Chinese student edition (the 中文 edition, built
# from the .po files, which refuses stale or missing translations, with every exercise stubbed:
# one run proves both that the translation executes and that the student edition runs); and the
# lessons again under a second BLAS configuration with the rounding canary on (conftest.py).
# Two workers run the test files (pytest-xdist; a notebook's cells stay together in one worker),
# each on one BLAS thread: the two cores are used without the slow-down of oversubscribing them.
lint: $(TEST_STAMP)
	$(BIN)/ruff check .

test: $(TEST_STAMP) data lint
	@tools/ensure_font.sh
	rm -rf .student-edition .rounding-check .zh-edition
	$(BIN)/python tools/i18n.py build --dest .zh-edition
	$(BIN)/python -m course_lib.exercises --src .zh-edition --dest .student-edition --no-html
	mkdir .rounding-check && cp notebooks/[0-9][0-9]_*.ipynb .rounding-check/
	env -u MPLBACKEND $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=12 --nbval-lax --nbval-current-env \
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
	rm -rf $(VENV) student student-zh build .pytest_cache .student-edition .student-edition-test-* \
		.rounding-check .zh-edition
