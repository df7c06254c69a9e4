"""dbt's chdb adapter. dbt reads `Plugin` when it loads the adapter; it is built then, on first access, so that
the warehouse session (`dbt.adapters.chdb.session`), which programs open without dbt, loads without dbt's
adapter machinery (two seconds of imports)."""


def __getattr__(name: str):
    if name != "Plugin":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from dbt.adapters.base import AdapterPlugin
    from dbt.adapters.chdb.credentials import ChdbCredentials
    from dbt.adapters.chdb.impl import ChdbAdapter
    from dbt.include import chdb

    plugin = AdapterPlugin(
        adapter=ChdbAdapter,
        credentials=ChdbCredentials,
        include_path=chdb.PACKAGE_PATH,
        dependencies=["clickhouse"],
    )
    globals()["Plugin"] = plugin
    return plugin
