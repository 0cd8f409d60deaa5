"""The dashboard's study page: the figures of a finished simulation study.

The operator names study folders at start-up in the environment variable
``FRACTAL_GOVERNANCE_STUDY`` (one folder, or several separated by ``os.pathsep``), e.g.
``FRACTAL_GOVERNANCE_STUDY=out/sweep fractal-governance dashboard``. Visitors choose among
those folders in the sidebar and never type a server path, so the app still reads only files
the operator named. The page shows the same figures as ``fractal-governance study report``
(:func:`fractal_governance.studies_report.study_figures`) and the final values per grid point.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from fractal_governance import studies

# The figures' modules (matplotlib) are imported when a study is shown: most servers show none.

__all__ = ["ENVIRONMENT_VARIABLE", "choose_study", "operator_studies", "render_study"]

ENVIRONMENT_VARIABLE = "FRACTAL_GOVERNANCE_STUDY"
NO_STUDY = "(none: show the data)"


def operator_studies() -> list[str]:
    """The study folders the operator named in :data:`ENVIRONMENT_VARIABLE` (as given)."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    return [part for part in value.split(os.pathsep) if part.strip()]


def choose_study() -> str | None:
    """Sidebar: pick one of the operator's study folders (None: show the data instead)."""
    folders = operator_studies()
    if not folders:
        return None
    st.sidebar.header("Simulation study")
    choice = st.sidebar.selectbox("Study folder", [NO_STUDY, *folders], index=1, key="fg_study")
    return None if choice == NO_STUDY else str(choice)


def _stamp(folder: str) -> float:
    """Changes when the study's summary is rewritten (keys the caches)."""
    path = Path(folder) / studies.SUMMARY_FILE
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False, max_entries=16)
def _figures(folder: str, stamp: float, metric: str) -> dict[str, tuple[str, bytes]]:
    from fractal_governance.studies_report import study_figures

    images = {}
    for name, (caption, figure) in study_figures(folder, metric).items():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)  # type: ignore[attr-defined]
        images[name] = (caption, buffer.getvalue())
    return images


@st.cache_data(show_spinner=False, max_entries=16)
def _final_table(folder: str, stamp: float) -> pd.DataFrame:
    study = studies.load_study(folder)
    return studies.summarize_final(study, studies.load_final(folder))


def render_study(folder: str) -> None:
    """The study page for ``folder`` (an error message when it is not a finished study)."""
    try:
        study = studies.load_study(folder)
        stamp = _stamp(folder)
        table = _final_table(folder, stamp)
    except (OSError, studies.StudyFolderError, ValueError) as error:
        st.error(f"Cannot show the study: {error}")
        return
    st.title(f"Simulation study: {study.name}")
    st.caption(
        f"{study.point_count} grid points x {study.replicates} replicates = "
        f"{study.run_count} runs of the {study.preset!r} preset; "
        f"grid: {', '.join(study.parameters) or 'none'}."
    )
    from fractal_governance import studies_plots

    names = study.metric_columns()
    metric = st.selectbox(
        "Metric",
        names,
        index=names.index("Gini") if "Gini" in names else 0,
        format_func=studies_plots.metric_title,
        key="fg_study_metric",
    )
    for _name, (caption, image) in _figures(folder, stamp, str(metric)).items():
        st.image(image, caption=caption)
    st.header("Final values per grid point")
    st.dataframe(table[table["Metric"] == metric], hide_index=True)
