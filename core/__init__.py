"""Digital Human Studio engine: Qt-free, importable headless."""
