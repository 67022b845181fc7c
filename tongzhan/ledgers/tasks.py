"""Background work of the ledgers app (django-tasks; `tongzhan worker` runs it).

The bodies live in services and catch their own failures, so a task ends with the job
marked done or failed and no raw data lands in the task table's traceback column.
"""

from django_tasks import task


@task()
def validate_import(job_id: int) -> None:
    from .services import validate_job

    validate_job(job_id)


@task()
def run_import(job_id: int) -> None:
    from .services import import_job

    import_job(job_id)
