"""Resources: the pingan home every asset reads and writes (dbt is in defs/warehouse/dbt.py)."""

import dagster as dg

from base.settings import Home, Settings


class PinganHome(dg.ConfigurableResource):
    """The home folder (inbox, archive, warehouse, reports…); the other PINGAN_ settings are read from the
    environment of the process the step runs in."""

    root: str

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.root)

    @property
    def home(self) -> Home:
        return Home.from_env(self.root)
