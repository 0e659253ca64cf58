"""Publishing: public replies, notices and feeds (always through personal-data masking)."""
