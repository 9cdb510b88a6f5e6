"""The event stream: record types, the emission point, and user call sites.

This package imports nothing else of gradscope: the engine writes into it, and every
view reads out of it.
"""
