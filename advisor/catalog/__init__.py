"""The sourced catalog: seed files -> SQLite -> immutable snapshot."""
