"""Figures: LST map panels and training curves."""
from .curves import plot_curves
from .panels import save_lst_panel, save_map_grid

__all__ = ['plot_curves', 'save_lst_panel', 'save_map_grid']
