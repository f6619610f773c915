"""Monitoring: Celery polls feeds, ingests what is new, links it to what is known, and alerts.

Read in this order:

1. ``dispatch.py``: beat's dispatcher claims due feeds (``select_for_update(skip_locked=True)``)
   and lost jobs, and says what to queue; ``intel/tasks.py`` queues one poll per feed.
2. ``poll.py``: one check of one feed: conditional GET through the safe fetcher
   (``intel/fetch.py``), parse (``parsing.py``, ``content.py``), store new entries,
   schedule the next check (``schedule.py``).
3. ``entries.py``: new entries go through ``intel.ingest.pipeline.ingest_articles``,
   duplicates across feeds are linked, not ingested again.
4. ``alerts.py``: relevance per watchlist, one alert per story, "new source for" an
   event already known.
5. ``delivery.py``: e-mail and webhook deliveries, retried with backoff; daily digests.

``queries.py`` makes Google News and GDELT query feeds from a watchlist's names.
Every function takes ids and tokens, never model instances from another process, and
may run twice: a claim token or a compare-and-set decides which run does the work.
"""
