"""Import every groklst module so registries are complete (tests, listing tools)."""
from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import all groklst packages that register modules; optionally set scope 'groklst'."""
    import groklst.datasets  # noqa: F401
    import groklst.engine  # noqa: F401
    import groklst.evaluation  # noqa: F401
    import groklst.models  # noqa: F401
    from . import compat
    compat.patch_mmengine()
    if init_default_scope and DefaultScope.get_current_instance() is None:
        DefaultScope.get_instance('groklst', scope_name='groklst')
