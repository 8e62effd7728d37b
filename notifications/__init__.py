"""Mail composition, the outbox and its relay, and the scheduled jobs."""
