"""REST APIs as Dagster assets over dlt. `rest_assets.RestApiComponent` is the component type each API's defs.yaml names.

It is imported on first use, so that `import rest_assets.engine...` does not load Dagster's component machinery.
"""

COMPONENT_TYPE = "rest_assets.RestApiComponent"  # the `type` each API's defs.yaml names


def __getattr__(name: str):
    if name == "RestApiComponent":
        from rest_assets.orchestration.component import RestApiComponent

        return RestApiComponent
    raise AttributeError(f"module 'rest_assets' has no attribute {name!r}")


def __dir__() -> list[str]:  # dg's registry lists what dir() shows
    return ["RestApiComponent"]
