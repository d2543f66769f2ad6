"""A generated defs.yaml is checked by loading it as Dagster loads one, and mended until it loads.

The check writes the file to a temporary `defs/<name>/defs.yaml` and loads that folder once through
Dagster's component tree, as `dg check defs` and the project's definitions load rest_assets/defs/
(YAML, the component file's model, the component's model, Jinja rendering of its strings), then
builds the API's definitions with what every API shares, and the asset graph. A folder that
REST_ASSETS_API_PATH names is read through the same component model from the same attributes
(orchestration/loading.py), so a second load would only repeat this one. Where it fails, each
resource is tried alone (with its parents) and the ones that do not load are commented out with
the error, so the file written always loads.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import uuid
import warnings
from pathlib import Path

from rest_assets.scaffold.build import Inference, declaration
from rest_assets.scaffold.document import Document, OpenApiError
from rest_assets.scaffold.listings import ListEndpoint
from rest_assets.scaffold.words import one_line
from rest_assets.scaffold.yaml_writer import dump_defs

MAX_ERROR_CHARS = 300


def load_error(text: str, name: str) -> str | None:
    """Why the defs.yaml does not load as the project loads it, on one line; None if it loads."""
    with tempfile.TemporaryDirectory(prefix="rest_assets_openapi_") as folder:
        defs_folder = Path(folder) / "defs"
        (defs_folder / name).mkdir(parents=True)
        (defs_folder / "__init__.py").write_text("")
        (defs_folder / name / "defs.yaml").write_text(text, encoding="utf-8")
        try:
            with warnings.catch_warnings():
                _load_as_the_project_does(defs_folder)
        except Exception as error:  # noqa: BLE001 (whatever stops it loading is the answer)
            return _one_line_error(error, folder)
    return None


def _load_as_the_project_does(defs_folder: Path) -> None:
    """The folder as a defs module, through Dagster's component tree (`dg check defs`, rest_assets/defs/), to its
    definitions and asset graph. Dagster imports the component the file's `type` names: the scaffold, which the
    component's scaffolder calls, imports no component itself."""
    import dagster as dg  # the generator itself needs no Dagster; the check is Dagster's loading

    from rest_assets.orchestration.definitions import shared_definitions, tree_definitions

    warnings.simplefilter("ignore", dg.BetaWarning)  # Dagster's notes on its own preview APIs: not the user's concern
    warnings.simplefilter("ignore", dg.PreviewWarning)
    module_name = f"_rest_assets_openapi_check_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(module_name, defs_folder / "__init__.py",
                                                  submodule_search_locations=[str(defs_folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
        shared_definitions(tree_definitions(module, defs_folder.parent)).resolve_asset_graph()
    finally:
        sys.modules.pop(module_name, None)


def _one_line_error(error: BaseException, folder: str) -> str:
    """The innermost cause's last line: Dagster wraps a component's error in its tree's."""
    while (error.__cause__ or error.__context__) is not None:
        error = error.__cause__ or error.__context__
    lines = [line.strip() for line in str(error).replace(folder, "<tmp>").splitlines() if line.strip()]
    message = next((line for line in reversed(lines) if not line.startswith(("^", "└", "├"))), "")
    return one_line(f"{type(error).__name__}: {message}")[:MAX_ERROR_CHARS]


def loadable_text(doc: Document, name: str, origin: str | None, inference: Inference) -> str:
    """The defs.yaml, checked: as generated if it loads, else with the resources that break it commented out."""
    text = dump_defs(declaration(doc, name, origin, inference))
    error = load_error(text, name)
    if error is None:
        return text
    disabled: dict[str, str] = {}
    for endpoint in inference.endpoints:  # parents first: a child of a broken parent goes with it
        if any(a.name in disabled for a in endpoint.ancestors()):
            continue
        alone = _all_but(inference.endpoints, endpoint)
        if (why := load_error(dump_defs(declaration(doc, name, origin, inference, alone)), name)) is not None:
            disabled[endpoint.name] = (f"Commented out: the file did not load with it ({why}). "
                                       "Mend it, then uncomment.")
    text = dump_defs(declaration(doc, name, origin, inference, disabled))
    if (error := load_error(text, name)) is not None:
        raise OpenApiError(f"the generated defs.yaml does not load, a bug of the generator: {error}")
    return text


def _all_but(endpoints: list[ListEndpoint], kept: ListEndpoint) -> dict[str, str]:
    """Every resource disabled but one and its parents."""
    chain = {kept.name, *(a.name for a in kept.ancestors())}
    return {e.name: "Left out while another resource is checked." for e in endpoints if e.name not in chain}
