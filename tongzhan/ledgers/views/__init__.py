"""Ledger pages: imports (imports.py) and exports (exports.py)."""
