"""The only code that writes engagement records: do_* functions, one transaction each,
each writing its audit row. Split by record: pairings, contacts (logs and attachments),
requests, settings."""
