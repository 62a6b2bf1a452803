"""The web layer: search pages, entity pages, the SPARQL endpoint and linked data (Flask)."""
