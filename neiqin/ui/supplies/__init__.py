"""办公用品 tab: catalogue, stock movements, the issue desk, stocktake."""
