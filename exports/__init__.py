"""Workbooks pingan writes: submission templates, demo data, bulletins, feedback."""
