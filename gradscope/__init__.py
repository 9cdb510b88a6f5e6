"""gradscope: an instrumented reverse-mode autograd engine you can watch."""

__version__ = "0.1.0"
