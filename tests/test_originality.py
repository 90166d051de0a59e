"""The lesson is in this project's own words (issue 12's bar).

``../shared/originality/check.py`` holds only hashes of the original tutorial
and lists every prose passage and code line of ours that repeats it. A clone
without ``../shared`` beside it (any user's) skips this test.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from helpers import ROOT

CHECK = ROOT.parent / "shared" / "originality" / "check.py"
#: Code lines that may repeat the original: the spec's own signatures and
#: update rules (today one: ``def backward(ctx, grad_output):``).
MAX_CODE_LINES = 12


@pytest.mark.skipif(not CHECK.is_file(), reason="no ../shared/originality/check.py beside this checkout")
def test_no_prose_and_at_most_a_dozen_code_lines_repeat_the_original():
    result = subprocess.run([sys.executable, str(CHECK), str(ROOT)], capture_output=True, text=True)
    summary = re.search(r"prose passages repeating the original: (\d+); code lines repeating the original: (\d+)",
                        result.stdout)
    assert summary, result.stdout + result.stderr
    prose, code = map(int, summary.groups())
    assert prose == 0, result.stdout
    assert code <= MAX_CODE_LINES, result.stdout
