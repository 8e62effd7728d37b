"""The shipped gunicorn settings: a worker puts what it loaded out of the garbage collector's way."""

from __future__ import annotations

import gc

from sprachmittlerpool import gunicorn_conf


def test_a_ready_worker_freezes_what_it_has_loaded_and_new_objects_are_collected_as_before() -> None:
    loaded = len(gc.get_objects())  # everything this process has loaded and not frozen yet
    try:
        gunicorn_conf.post_worker_init(worker=None)
        assert gc.get_freeze_count() >= 0.9 * loaded
        assert len(gc.get_objects()) < 0.1 * loaded
        made = [[n] for n in range(1000)]
        assert any(item is made for item in gc.get_objects())  # a request's objects: tracked, collectable
    finally:
        gc.unfreeze()
