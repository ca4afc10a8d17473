"""``python -m gui [SOURCE] [options]``: open the preview window (a bad option: one line on
stderr, exit code 2, as ``llie-video preview`` does)."""

import sys

from gui.app import main
from llie_video.errors import UserError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except UserError as exc:
        print(f"llie-video preview: error: {exc}", file=sys.stderr)
        sys.exit(2)
