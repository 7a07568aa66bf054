"""Qt table models over the engine's plain records (QAbstractTableModel subclasses)."""
