"""The one entry point Dagster loads (``dagster dev``, ``pingan ui``, ``pingan demo``).

Importing this module does nothing but define ``defs``: Dagster calls it when it loads the code
location, and only then are the home's settings read and the definitions built.
"""

import dagster as dg

from base.settings import Settings
from orchestration.defs.build import build_definitions


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.from_env())
