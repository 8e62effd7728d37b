"""The shipped gunicorn settings: a worker puts what it loaded out of the garbage collector's way."""

from __future__ import annotations

import json
import subprocess
import sys

# Run in a process of its own: freezing this test process would change when its other objects are collected.
WORKER = """
import gc, json
import sprachmittlerpool  # what a worker loads before it serves
from sprachmittlerpool import gunicorn_conf
gc.collect()
gc.collect()  # a tuple is untracked once what it holds is: nested ones need a second pass to settle
loaded = len(gc.get_objects())
gunicorn_conf.post_worker_init(worker=None)
left = len(gc.get_objects())
made = [[n] for n in range(1000)]
print(json.dumps({"loaded": loaded, "frozen": gc.get_freeze_count(), "left": left,
                  "made_tracked": any(item is made for item in gc.get_objects())}))
"""


def test_a_ready_worker_freezes_what_it_has_loaded_and_new_objects_are_collected_as_before() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WORKER], capture_output=True, text=True, timeout=120, check=True
    )
    counts = json.loads(done.stdout.strip().splitlines()[-1])

    assert counts["loaded"] > 10_000 and counts["frozen"] >= counts["loaded"]
    assert counts["left"] < 0.01 * counts["loaded"]
    assert counts["made_tracked"]  # what a request makes later is tracked, so collected as before
