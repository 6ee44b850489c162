"""tools/repo_links.py: the README's Binder, Colab and JupyterHub links follow one address."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import repo_links  # noqa: E402


@pytest.fixture
def readme(tmp_path):
    copy = tmp_path / "README.md"
    copy.write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def run(*args):
    return repo_links.main([*args])


def test_the_committed_readme_is_a_template_or_fully_linked():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    address = repo_links.current_address(text)
    if address == repo_links.PLACEHOLDER:
        assert "<repo>" in text
    else:
        assert "<org>" not in text and "<repo>" not in text


def test_an_address_reaches_every_link(readme, capsys):
    assert run("jane-doe/nn-course", "--readme", str(readme)) == 0
    text = readme.read_text(encoding="utf-8")
    assert "<org>" not in text and "<repo>" not in text
    assert "mybinder.org/v2/gh/jane-doe/nn-course/HEAD" in text
    assert 'pip install --quiet "git+https://github.com/jane-doe/nn-course"' in text
    assert "git-pull?repo=https://github.com/jane-doe/nn-course&branch=main" in text
    assert "lab/tree/nn-course/notebooks/00_history.ipynb" in text
    assert "/home/jovyan/nn-course" in text
    assert "jane-doe/nn-course" in capsys.readouterr().out


def test_running_again_moves_every_link(readme):
    run("jane-doe/nn-course", "--readme", str(readme))
    run("lab-org/deep-101", "--readme", str(readme))
    text = readme.read_text(encoding="utf-8")
    assert "nn-course" not in text and "jane-doe" not in text
    assert text.count("lab-org/deep-101") >= 4
    assert repo_links.current_address(text) == "lab-org/deep-101"


@pytest.mark.parametrize("bad", ["no-slash", "a/b/c", "owner/", "/name", "own er/name"])
def test_a_bad_address_is_refused_and_the_readme_kept(readme, bad, capsys):
    before = readme.read_text(encoding="utf-8")
    assert run(bad, "--readme", str(readme)) == 2
    assert "expected OWNER/NAME" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == before


def test_no_origin_names_the_fix(tmp_path, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "README.md").write_text((ROOT / "README.md").read_text(encoding="utf-8"))
    assert run("--readme", str(tmp_path / "README.md")) == 2
    assert "make links REPO=OWNER/NAME" in capsys.readouterr().err


def test_origin_is_read_from_git(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin",
                    "git@github.com:someone/nnfs-course.git"], check=True)
    assert repo_links.origin_address(tmp_path) == "someone/nnfs-course"


def test_a_readme_without_badge_is_an_error(tmp_path, capsys):
    page = tmp_path / "README.md"
    page.write_text("# A course\n")
    assert run("jane-doe/x", "--readme", str(page)) == 2
    assert "no Binder badge" in capsys.readouterr().err
    assert page.read_text() == "# A course\n"
