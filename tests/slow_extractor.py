"""Stand-in extractors for the pool tests; module-level so spawned workers can import them."""

import time


def hang(*args, **kwargs):
    time.sleep(3600)


def crash(*args, **kwargs):
    import os

    os._exit(3)
