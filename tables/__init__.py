"""The shipped tables, installed as ``iomodel.tables``: data files only (see ``README.md``)."""
