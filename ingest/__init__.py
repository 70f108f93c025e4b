"""Intake: read county workbooks, normalise their values, check them, archive them, load them raw."""
