"""Workbooks pingan writes, from the catalogue and the marts (never from ``raw``): the submission and
targets templates (template), the feedback to a county (feedback), the ranking bulletin (bulletin/);
their one look and print set-up (styles) and formula-proof text (safe)."""
