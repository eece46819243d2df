"""nbgrader's submit, with the submission private to the learner and the instructors.

Stock nbgrader leaves a submission in the exchange's inbound folder world-readable (files 0644) and its
folder world-writable (0777, so that an instructor can remove it): only its random name hides it, and a
classmate who learns the name can read the answers and add files. nbgrader makes the inbound folder
set-group-id with the instructor's group, so what a learner creates in it belongs to that group: this submit
makes sure every file of the submission does, then keeps the group's access and takes everyone else's away.
The hub's install configures it (deploy/nbgrader_config.py).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from nbgrader.exchange.default.submit import ExchangeSubmit

#: The learner and the instructors' group may read; the group may also remove (nbgrader's reason for 0777).
FOLDER_MODE, FILE_MODE = 0o770, 0o640
#: What nbgrader's submit writes into the submission after copying the learner's folder.
WRITTEN_AFTER = ("timestamp.txt", "submission_secret.txt")


class PrivateSubmit(ExchangeSubmit):
    def do_copy(self, src, dest, log=None) -> None:
        if Path(dest).parent != Path(self.inbound_path):
            return super().do_copy(src, dest, log)  # the learner's own cache of what they submitted
        # nbgrader's copy (shutil.copytree) would give the submission folder the learner's folder's mode at
        # the end, set-group-id cleared: the files written after it would be the learner's group, which the
        # instructor cannot read once closed. So the folder is made here, keeping the inbound folder's
        # group, the copy goes inside it and moves up, and the files written later exist in it already.
        os.mkdir(dest)
        incoming = Path(dest) / f".hitpm-incoming-{secrets.token_hex(4)}"
        super().do_copy(src, str(incoming), log)
        for entry in incoming.iterdir():
            entry.rename(Path(dest) / entry.name)
        incoming.rmdir()
        for name in WRITTEN_AFTER:
            (Path(dest) / name).touch()

    def copy_files(self) -> None:
        super().copy_files()
        submission = Path(self.inbound_path) / self.assignment_filename
        instructors = Path(self.inbound_path).stat().st_gid
        paths = [submission, *submission.rglob("*")]
        strays = [path for path in paths if path.lstat().st_gid != instructors]
        if strays:
            # Not the instructor's group (an inbound folder made by hand, without set-group-id): closing it
            # would lock the instructor out too. nbgrader's own modes stay, and the administrator is told.
            self.log.warning("the submission %s is not all in the inbound folder's group (%s): left readable by "
                             "anyone who knows its name", submission, strays[0])
            return
        for path in sorted(paths, reverse=True):  # the folders' contents before the folders
            if not path.is_symlink():
                os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
