"""Ground floor: settings, errors and the value types every layer shares (imports nothing of ours)."""
