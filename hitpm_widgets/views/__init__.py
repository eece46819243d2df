"""ipywidgets views: thin, keyboard-usable front ends over the exercise models."""
