"""Garbage-collector settings for a long-running server process.

A full (generation 2) collection walks every container object the process tracks. After
start-up that is some 200,000 objects that live as long as the process (modules, classes,
functions, the routers) plus the cached plan documents, so one full collection took 100 to
450 ms and landed, every twenty saves or so, in the middle of a request: the tail of the
52-week PATCH. Two settings remove it:

- the objects that exist once the app is built are moved to the permanent generation
  (`gc.freeze()`), so no later collection walks them again; they are still freed by
  reference counting;
- the youngest generation is collected after 10,000 net allocations instead of 700: a
  save builds and drops trees of tens of thousands of containers (the document, its JSON
  form, the response), and collecting every 700 allocations promoted whatever was alive
  at that moment into the older generations, which is what triggered full collections.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
_frozen = False


def freeze_startup_heap() -> None:
    """Collect once, freeze what is alive (the app as built), and relax the young threshold.

    Call when the application has been built; later calls do nothing.
    """
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
