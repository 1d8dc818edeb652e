"""The whole study, tracked in MLflow unless --no-tracking: MLproject's entry points run this.

Every approach (or those named), the stack, the submission of the best approach, the
champion served as an MLflow model: ``textclf.study`` does the work, this script is its
command line (the same as ``textclf run``; see ``--help``).

    python -m pipelines.main [--train sms_spam|PATH] [--test PATH] [--approach NAME ...]
        [--no-tracking] [...]
"""

import sys

from textclf._console import configure_logging, run_command
from textclf.study import main

if __name__ == "__main__":
    configure_logging("INFO")
    sys.exit(run_command(lambda: main(prog="pipelines.main"), "pipelines.main"))
