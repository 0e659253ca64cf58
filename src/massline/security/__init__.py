"""Security machinery shared by every worker process: counters, login throttling, rate limits."""
