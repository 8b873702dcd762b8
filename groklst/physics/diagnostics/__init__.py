"""Diagnostics of the thermal physics behind the documents of ``docs/physics/``: each module
computes one study and renders its markdown (``markdown_lines``); the tools of
``tools/retrieval/`` write them. Imported by module (they pull in the simulator and, for some,
LOWTRAN)."""
