"""matplotlib pictures for the exercises, all in one colour-blind-safe style."""
