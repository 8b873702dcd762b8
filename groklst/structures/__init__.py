from .lst_data_sample import LSTDataSample

__all__ = ['LSTDataSample']
