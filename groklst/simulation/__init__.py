"""Simulated training data for LST/LSE retrieval (see :mod:`.simulator`)."""
from .simulator import (PROFILE_DOMAINS, SimulationConfig, load_simulation,
                        profile_domain_mask, save_simulation, simulate,
                        table_digests)

__all__ = ['PROFILE_DOMAINS', 'SimulationConfig', 'simulate',
           'profile_domain_mask', 'save_simulation', 'load_simulation',
           'table_digests']
