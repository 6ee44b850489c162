"""`python -m course_lib.checks [FOLDER]`: show exercise progress recorded in FOLDER (default: here)."""
import sys

from .core import progress

progress(sys.argv[1] if len(sys.argv) > 1 else ".")
