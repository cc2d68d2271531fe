"""Property-based variants of the input files offices send (issue 8): a truth, a style, a file, a load, a comparison."""
