"""Resource files (face topology tables, stylesheet, icons); a package so installs carry them."""
