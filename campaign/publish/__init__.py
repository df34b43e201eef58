"""Publishing: the worker that sends queued jobs through the platform adapters, exactly once.

- `worker`: claim, send, reconcile with `find`, retry or fail; the loop, one post or N in flight.
- `inflight`: the posts in flight, the threads that send them, and the lease heartbeat.
- `holds`: accounts held back (a platform that does not answer, or answers 429).
- `owners`: who a worker is, and breaking the leases of dead local workers.
- `from_store`: adapters and rate limits built from what the queue stored.
- `retry`: the retry policy, a pure function of (attempts, error).
- `credentials`: secrets from the environment or a 0600 file, never from YAML.
- `accounts`: checking accounts and listing installed adapters, for the CLI.
- `adapters/`: the adapter contract (`adapters.base`) and the built-in adapters.
"""

#: posts in flight at once by default (`campaign run --concurrency`): a post spends its time
#: waiting for the platform, so 64 threads send a slot of 1,000 posts over 200 accounts at
#: 300 ms a call in ~7 s (bench/bench_lateness.py); each account still has one post in flight.
#: Here, not in `worker`, so the CLI reads it without importing the worker at start-up.
DEFAULT_CONCURRENCY = 64
