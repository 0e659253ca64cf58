"""Cleaning: HTML → text, normalisation, T→S, pinyin annotations, mojibake, spam lines."""
