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


def hangs_on_article_2(body, url, headers, **kwargs):
    """The real extractor, except that one page makes it hang: a crawl must lose that page only."""
    if url.endswith("/a/2.html"):
        time.sleep(3600)
    if url.endswith("/a/3.html"):
        import os

        os._exit(3)
    from extractors import extract

    return extract(body, url, headers, **kwargs)
