"""The notebook toolbar's Validate, saying what failed as `hitpm check` does: a test's message, not its traceback.

A Jupyter server extension in place of nbgrader's own validate_assignment (the same two addresses, which
nbgrader's Validate button calls): `hitpm lab` and the hub's install turn nbgrader's off and this one on.
Validation itself is nbgrader's Validator; only how a failed cell reads changes.
"""

from __future__ import annotations

from pathlib import Path

from jupyter_server.utils import url_path_join
from nbgrader.nbgraderformat import SchemaTooNewError, SchemaTooOldError
from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler, ValidateAssignmentHandler
from nbgrader.validator import Validator
from tornado import web

from .selfcheck import failure_message

#: What a learner can do when a notebook cannot be validated at all.
COULD_NOT_RUN = ("Validate could not run this notebook ({error}). Restart the kernel and run every cell, "
                 "then look at the first cell that fails; `hitpm check NOTEBOOK` in a terminal says more.")


class LearnerValidator(Validator):
    def _extract_error(self, cell) -> str:
        failed = cell.cell_type == "code" and any(
            output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr")
            for output in cell.outputs)
        return failure_message(cell) if failed else super()._extract_error(cell)


class LearnerValidateHandler(ValidateAssignmentHandler):
    def validate_notebook(self, path):
        root = Path(self.root_dir).resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root):
            raise web.HTTPError(403, "Access denied: path outside allowed directory")
        try:
            result = LearnerValidator(config=self.load_config()).validate(str(target))
        except (SchemaTooOldError, SchemaTooNewError):
            return super().validate_notebook(path)  # nbgrader's own advice on its metadata's version
        except Exception as error:
            self.log.exception("validating %s", target)
            return {"success": False, "value": COULD_NOT_RUN.format(error=f"{type(error).__name__}: {error}")}
        return {"success": True, "value": result}


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    webapp = serverapp.web_app
    webapp.settings["root_dir"] = serverapp.root_dir
    base_url = webapp.settings["base_url"]
    webapp.add_handlers(".*$", [(url_path_join(base_url, "/assignments/validate"), LearnerValidateHandler),
                                (url_path_join(base_url, "/nbgrader_version"), NbGraderVersionHandler)])
