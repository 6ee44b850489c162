"""Point the README's Binder badge, Colab cell and JupyterHub link at this repository.

    python tools/repo_links.py                  # the address of `git remote get-url origin`
    python tools/repo_links.py owner/name       # an explicit GitHub address
    python tools/repo_links.py --check          # print the address the README uses now

The README is written for a repository whose public address is not known in advance, so its
links carry the placeholder ``<org>/<repo>`` until whoever publishes the course runs this once
(``make links``). Running it again with another address moves every link to the new one.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
PLACEHOLDER = "<org>/<repo>"
BADGE = re.compile(r"mybinder\.org/v2/gh/(?P<address>[^/\s]+/[^/\s]+)/HEAD")
ADDRESS = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
REMOTE = re.compile(r"github\.com[:/](?P<address>[^/\s]+/[^/\s]+?)(?:\.git)?/?$")


class LinkError(Exception):
    """A problem with the address or the README, with the fix in its message."""


def current_address(text: str) -> str:
    """The owner/name (or the placeholder) that the README's Binder badge points at."""
    match = BADGE.search(text)
    if not match:
        raise LinkError("README.md has no Binder badge (mybinder.org/v2/gh/OWNER/NAME/HEAD) to "
                        "read the current address from; restore the badge line at the top.")
    return match["address"]


def origin_address(repo_dir: Path) -> str:
    """owner/name from the git remote 'origin', if it is a GitHub address."""
    try:
        url = subprocess.run(["git", "-C", str(repo_dir), "remote", "get-url", "origin"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise LinkError("This checkout has no git remote 'origin'. Give the address instead: "
                        "python tools/repo_links.py OWNER/NAME (or make links REPO=OWNER/NAME).") from None
    match = REMOTE.search(url)
    if not match:
        raise LinkError(f"The remote 'origin' ({url}) is not a GitHub address, and Binder's "
                        "badge needs one. Give it explicitly: python tools/repo_links.py OWNER/NAME.")
    return match["address"]


def relink(text: str, new: str) -> str:
    """The README text with every link moved from its current address to ``new``."""
    if not ADDRESS.match(new):
        raise LinkError(f"{new!r} is not a GitHub repository address; expected OWNER/NAME, "
                        "e.g. jane-doe/nn-from-scratch.")
    old = current_address(text)
    old_name, new_name = old.split("/")[1], new.split("/")[1]
    text = text.replace(old, new)
    # The JupyterHub instructions also name the folder that nbgitpuller clones into.
    for pattern in ("/home/jovyan/{}", "lab/tree/{}/"):
        text = text.replace(pattern.format(old_name), pattern.format(new_name))
    if PLACEHOLDER in text or "<repo>" in text:
        raise LinkError("README.md still holds a '<repo>' placeholder in a form this tool does "
                        "not know; replace it by hand.")
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", nargs="?", help="OWNER/NAME on GitHub (default: origin's)")
    parser.add_argument("--check", action="store_true", help="print the README's address")
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        text = args.readme.read_text(encoding="utf-8")
        if args.check:
            print(current_address(text))
            return 0
        new = args.address or origin_address(args.readme.parent)
        args.readme.write_text(relink(text, new), encoding="utf-8")
    except LinkError as error:
        print(f"repo_links: {error}", file=sys.stderr)
        return 2
    print(f"README.md now links to https://github.com/{new}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
