"""Importing the 花名册 people already keep (.xlsx, .csv).

reader    the file → numbered rows, the header found (columns: names and synonyms)
rows      one row → ok / warning / error / skipped, each problem with column and reason
          (values: dates, code tables, phones; regions: names → codes and scope)
dedupe    duplicates within the file and against the registry, in bulk
validate  the whole file, streaming, in chunks
write     the confirmed rows → persons, in bulk, by the people services' rules
report    the .xlsx report
"""
