"""One module per kind of file: each builds Sheet objects from the truth."""
