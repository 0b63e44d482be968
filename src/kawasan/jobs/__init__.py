"""Analysis jobs on a task queue (huey): suitability runs and study-area preparations, never in a web request.

- :mod:`kawasan.jobs.queue` builds the huey instance for a queue spec (``sqlite`` — the embedded default,
  a file in the data folder — or ``redis://host:port/db`` on a server) and registers the one task,
  ``kawasan.run_job(job_id)``.
- :mod:`kawasan.jobs.runners` does a job: reads its parameters from the database
  (:class:`kawasan.tracker.jobs.JobService`), calls the domain code (``run_suitability``, ``prepare``) with a
  progress callback that records progress and stops the job when its cancellation was asked.
- :mod:`kawasan.jobs.folders` is where in the server's data folder study areas, runs and saved models live.

The number of jobs running at once is the number of worker processes of the consumer
(``kawasan worker --jobs N``, or ``kawasan serve --jobs N``, which starts one); the rest wait in the queue.
"""
