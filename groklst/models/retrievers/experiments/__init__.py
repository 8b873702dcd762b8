"""Retrieval experiments behind the tables of ``docs/retrieval.md``: AK-KD (:mod:`.akkd`,
architecture search in :mod:`.akkd_search`), PINN (:mod:`.pinn`) and SFTL (:mod:`.sftl`). Each
module holds its settings (a dataclass whose defaults are the documented run), its steps and the
markdown of its tables; ``tools/retrieval/*_experiment.py`` parse arguments into the settings.

Imported by module, not here: the registry imports this package with the retrievers.
"""
