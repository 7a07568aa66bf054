"""Cost engine: API spend, rented and owned GPUs, people and risk, over a horizon."""
