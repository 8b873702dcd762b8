"""Figures of LST maps."""
from .panels import save_lst_panel

__all__ = ['save_lst_panel']
