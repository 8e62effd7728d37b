"""Use cases: each owns its transaction and queues its mail."""
