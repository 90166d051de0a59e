"""``sphinx-build``, minus the second it takes Python to tear down torch and TensorFlow.

When a build has run examples in the Sphinx process, torch and TensorFlow are
loaded in it, and the interpreter's normal shutdown (freeing every module,
running their exit hooks) takes about a second more before ``make html``
returns. By then Sphinx has written and closed every file, so this runs
Sphinx's own command line, flushes the output, and exits at once with
Sphinx's exit status. The Makefile and the tests build through it.
"""

import os
import sys

from sphinx.cmd.build import main

if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
