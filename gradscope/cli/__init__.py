"""The ``gradscope`` command line: one thin module per command, Typer for parsing, Rich for
output. This is the only package that imports everything (engine, recorder, state, views).
"""
