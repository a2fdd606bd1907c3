"""Build the index: corpus → documents → one Whoosh document per passage, published atomically."""
