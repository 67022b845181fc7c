"""Importing the 花名册 people already keep (.xlsx, .csv).

reader    the file → numbered rows, the header found (columns: names and synonyms)
rows      one row → ok / warning / error / skipped, each problem with column and reason
          (values: dates, code tables, phones; regions: names → codes and scope;
          names: search and sort keys at import speed)
dedupe    duplicates within the file and against the registry, a few queries per chunk
validate  the whole file, streaming, in chunks
write     the confirmed rows → persons, in bulk, by the people services' rules
          (fastsql: one executemany, or COPY on PostgreSQL, per table and chunk)
report    the .xlsx report
"""
