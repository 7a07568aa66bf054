"""The PySide6 desktop app of LLM Sourcing Advisor (imports the engine, never the reverse)."""
