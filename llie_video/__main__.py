"""``python -m llie_video`` runs the ``llie-video`` command."""

import sys

from llie_video.cli import main

sys.exit(main())
