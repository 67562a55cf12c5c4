"""Settlement service: invoices, payments, prepayments and offsets (SET-*)."""
