"""Executes a notebook top to bottom and fails on the first error (used by .ci/run).

Usage: python notebooks/run_notebook.py notebooks/red-packet.ipynb
"""
import sys

import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
print(f"{path}: {len(nb.cells)} cells executed without error")
