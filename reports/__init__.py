"""Report rendering of the auditor (installed as ``auditor.reports``): renders what it is given."""
