"""Resources: the pingan home every asset reads and writes, and dbt pointed at it."""

import dagster as dg

from orchestration.settings import Home


class PinganHome(dg.ConfigurableResource):
    """The home folder (inbox, archive, warehouse, reports…); defaults to PINGAN_HOME."""

    root: str

    @property
    def home(self) -> Home:
        return Home.from_env(self.root).ensure()
