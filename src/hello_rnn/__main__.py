"""``python -m hello_rnn``: the same as the ``hello-rnn`` command."""

from .cli import main

raise SystemExit(main())
