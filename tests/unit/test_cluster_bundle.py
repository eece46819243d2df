"""What a cluster run sends its workers: the kernels' settings, never the gradebook's address or password."""

from __future__ import annotations

import pickle

from traitlets.config import Config

from hitpm_widgets.grading.cluster import kernel_config


def test_only_the_kernels_settings_go_to_the_workers():
    config = Config()
    config.CourseDirectory.db_url = "postgresql+psycopg2://grader:s3cret@db.example/hitpm"
    config.CourseDirectory.root = "/home/instructor/course"
    config.Execute.timeout = 90
    config.KernelManager.shutdown_wait_time = 2.0
    sent = kernel_config(config)
    assert sent.Execute.timeout == 90 and sent.KernelManager.shutdown_wait_time == 2.0
    assert "CourseDirectory" not in sent
    assert b"s3cret" not in pickle.dumps(sent) and b"/home/instructor" not in pickle.dumps(sent)
