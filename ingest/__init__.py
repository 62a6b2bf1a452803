"""From files to facts: readers, the Russian NLP pipeline, extraction, and the mapping to RDF."""
