"""Files made from a month's payout list: CSV, XLSX, PDF for the treasury, SEPA pain.001 for the bank."""
