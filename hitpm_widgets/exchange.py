"""nbgrader's submit, with the submission private to the learner and the instructors.

Stock nbgrader leaves a submission in the exchange's inbound folder world-readable (files 0644) and its
folder world-writable (0777, so that an instructor can remove it): only its random name hides it, and a
classmate who learns the name can read the answers and add files. The inbound folder is set-group-id with
the instructor's group (nbgrader makes it so), so a submission belongs to that group: this submit keeps
the group's access and takes everyone else's away. The hub's install configures it (deploy/nbgrader_config.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.exchange.default.submit import ExchangeSubmit

#: The learner and the instructors' group may read; the group may also remove (nbgrader's reason for 0777).
FOLDER_MODE, FILE_MODE = 0o770, 0o640


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self) -> None:
        super().copy_files()
        submission = Path(self.inbound_path) / self.assignment_filename
        instructors = Path(self.inbound_path).stat().st_gid
        if submission.stat().st_gid != instructors:
            # Not the instructor's group (an inbound folder made by hand, without set-group-id): closing it
            # would lock the instructor out too. nbgrader's own modes stay, and the administrator is told.
            self.log.warning("the submission %s is not in the inbound folder's group: left readable by anyone "
                             "who knows its name", submission)
            return
        for folder, folders, files in os.walk(submission):
            for name in files:
                os.chmod(Path(folder) / name, FILE_MODE)
            for name in folders:
                os.chmod(Path(folder) / name, FOLDER_MODE)
        os.chmod(submission, FOLDER_MODE)
