"""Tests of the PDF report and the spreadsheet export."""
