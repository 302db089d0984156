"""办公用品: the catalogue, the stock movements ledger and its posting, stocktakes, reports. Importing this package
imports none of its modules."""
