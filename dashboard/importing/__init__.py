"""From the offices' spreadsheets to the data folder: templates and validated, atomic imports."""
