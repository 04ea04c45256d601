"""Figures and tables from denseshift run files (HDF5). Reads run files only;
never imports training code. Run modules with Debian's python3 from the
repository root, e.g. `/usr/bin/python3 -m analysis.freezing_figure --help`."""
