"""The lessons' second run: make test executes a copy of every instructor notebook in
.rounding-check/ under a second BLAS configuration (two OpenBLAS threads instead of one) with
course_lib's rounding canary on (every initial weight scaled by 1 + 1e-6). A saved output that
nbval compares as text must not change under either, so a figure that depends on the rounding
of a training run or a BLAS call fails here, on any machine, instead of on a learner's CPU.
"""
import os

import pytest

SECOND_RUN_FOLDER = ".rounding-check"
SECOND_RUN_ENV = {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "COURSE_ROUNDING_CANARY": "1"}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a second-run notebook starts its kernel (its first cell's set-up), switch the
    environment the kernel inherits; the last cell's teardown switches it back."""
    if SECOND_RUN_FOLDER in item.path.parts and not hasattr(item.session, "_saved_blas_env"):
        item.session._saved_blas_env = {k: os.environ.get(k) for k in SECOND_RUN_ENV}
        os.environ.update(SECOND_RUN_ENV)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    saved = getattr(item.session, "_saved_blas_env", None)
    if saved is not None and (nextitem is None or nextitem.path != item.path):
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        del item.session._saved_blas_env


# ---------------------------------------------------------------- running on two workers
# make test runs pytest-xdist with --dist loadfile --no-loadscope-reorder: each file (a notebook,
# whose cells share one kernel; a test module, whose tests share module fixtures) runs whole on
# one worker, in the order collected (xdist would otherwise start the files with the most tests
# first). The longest files come first, so that no worker is left running a long one while the
# other is idle: the browser test (every lesson in JupyterLab), then lessons 07, 08, 02 and 09.
HEAVY_FIRST = ("test_browser.py", "07_", "08_", "02_", "09_")


def pytest_collection_modifyitems(config, items):
    def weight(item):
        name = item.path.name
        return next((i for i, prefix in enumerate(HEAVY_FIRST) if name.startswith(prefix)),
                    len(HEAVY_FIRST))

    items.sort(key=weight)   # stable: cells keep their order within a notebook
