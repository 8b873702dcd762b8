from .lst_data_preprocessor import LSTDataPreprocessor

__all__ = ['LSTDataPreprocessor']
