"""Workbooks that are not the office's: the demo prefecture (``demo``) and a synthetic province for the
benchmark (``province``). Scaffolding beside the product: ingest, exports and the warehouse never import it."""
