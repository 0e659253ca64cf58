"""Built-in recognizers: number-shaped personal data (``numbers``) and text-shaped (``text``)."""
