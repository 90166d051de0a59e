"""How many threads an example's libraries start with (``example_threads``).

With ``example_threads = N`` (N > 0), the variables that size the thread
pools of OpenMP, MKL, OpenBLAS and TensorFlow are set to N when the
configuration is read, unless the environment sets them already, so that the
printed numbers do not depend on the machine's CPU count. With 0 (the
default), nothing is set and the libraries choose, as without this engine.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx


# Thread pools sized from these variables when OpenMP, MKL, OpenBLAS or TensorFlow starts.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def limit_threads(app: Sphinx, config) -> None:
    """Size the examples' thread pools from ``example_threads`` (0: leave them alone).

    Set when the configuration is read, before anything is preloaded, so the
    preloaded libraries and every child start with that many threads.
    """
    if config.example_threads > 0:
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, str(config.example_threads))
