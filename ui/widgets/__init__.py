"""Small reusable input widgets: typed editors, a row table and a field with its inline error."""
