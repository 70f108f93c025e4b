"""The benchmark (``make bench``): scaffolding beside the product, never imported by it."""
