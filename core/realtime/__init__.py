"""Real-time engine: audio source -> mouth stage -> renderer -> sinks."""
