"""``python -m gradscope``: the command line, as the ``gradscope`` script runs it."""

from .cli.app import main

main()
