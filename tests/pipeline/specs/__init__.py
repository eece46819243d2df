"""One spec per graded workbook: what the shared pipeline test in test_workbook_pipelines.py needs to know.

Adding a workbook is one module here with its `SPEC`, and one line in `SPECS` below.
"""

from .ps01 import SPEC as PS01
from .ps02 import SPEC as PS02
from .ps03 import SPEC as PS03
from .ps04 import SPEC as PS04
from .ps05 import SPEC as PS05
from .ps06 import SPEC as PS06
from .ps07 import SPEC as PS07
from .ps08 import SPEC as PS08

SPECS = (PS01, PS02, PS03, PS04, PS05, PS06, PS07, PS08)
