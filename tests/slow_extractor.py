"""Stand-in extractors for the pool tests; module-level so spawned workers can import them."""

import time


def hang(*args, **kwargs):
    time.sleep(3600)


def crash(*args, **kwargs):
    import os

    os._exit(3)


def sleepy(body, url, headers, **kwargs):
    """Takes one second, then returns a real record: stands in for an expensive page."""
    time.sleep(1.0)
    from extractors import extract

    return extract(body, url, headers, **kwargs)
