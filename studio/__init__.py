"""Digital Human Studio application layer: CLI, GUI wiring, projects, jobs and runners."""

__version__ = "0.1.0"
