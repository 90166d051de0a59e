"""Unit tests of gallery_runner.failures."""

from __future__ import annotations

from pathlib import Path

from gallery_runner import runner
from gallery_runner import failures


def test_the_stack_shown_is_the_examples_own(tmp_path):
    dump = (
        "Thread 0x00007f0000000002 (most recent call first):\n"
        '  File "/lib/threading.py", line 320 in wait\n'
        "\n"
        "Current thread 0x00007f0000000001 (most recent call first):\n"
        f'  File "{runner.__file__}", line 400 in exit_showing_where\n'
        '  File "/lib/torch/functional.py", line 12 in matmul\n'
        '  File "/src/examples/example.py", line 7 in train\n'
        '  File "/src/examples/example.py", line 20 in <module>\n'
        '  File "/lib/sphinx_gallery/gen_rst.py", line 900 in __call__\n'
    )
    assert failures.where_it_was(dump, Path("/src/examples/example.py"), skip=runner.__file__) == (
        '  File "/lib/torch/functional.py", line 12 in matmul\n'
        '  File "/src/examples/example.py", line 7 in train\n'
        '  File "/src/examples/example.py", line 20 in <module>'
    )
    assert failures.where_it_was(dump, Path("/src/examples/other.py"), skip=runner.__file__) == ""
    assert failures.describe_signal(9) == "signal 9 (SIGKILL, Killed)"
