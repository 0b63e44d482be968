"""Command-line interface: thin click commands over the domain packages."""
