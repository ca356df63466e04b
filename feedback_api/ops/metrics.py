"""`/metrics` in Prometheus' text format: what this process measured, and the database now.

Turn latency and Rasa errors are counted in the process that handles the turn (each
service process has its own /metrics: scrape every one). Queue, message, handoff and
case figures are read from the database at scrape time (feedback_api.ops.snapshot),
so every process reports the same and nothing is lost at a restart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from feedback_api.ops import snapshot
from feedback_api.ops.snapshot import Labels, Snapshot

# The classic text format: every name here is a plain one, and every Prometheus reads it.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
PROCESS = CollectorRegistry()
ProcessCollector(registry=PROCESS)

# From a quick direct Rasa turn (~50 ms) to one that waits for the gateway's timeout.
TURN_SECONDS = Histogram(
    "aap_turn_seconds",
    "From a message taken by the inbound worker to the assistant's replies stored, by channel",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 60.0),
    registry=PROCESS,
)
RASA_ERRORS = Counter(
    "aap_rasa_errors",
    "Calls to Rasa that failed (the message waits and is retried), by kind",
    ["kind"],
    registry=PROCESS,
)
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")


def observe_turn(channel: str, seconds: float) -> None:
    """One assistant turn took `seconds` (telegram, sms, web)."""
    TURN_SECONDS.labels(channel=channel).observe(seconds)


def count_rasa_error(kind: str) -> None:
    """A call to Rasa failed: `kind` a short lowercase word (timeout, unavailable, http_5xx,
    refused). Anything else counts as `other`, so an error text never becomes a label."""
    RASA_ERRORS.labels(kind=kind if _KIND.fullmatch(kind) else "other").inc()


def _family(
    family: GaugeMetricFamily | CounterMetricFamily, values: dict[Labels, int]
) -> GaugeMetricFamily | CounterMetricFamily:
    for labels, value in sorted(values.items()):
        family.add_metric(list(labels), value)
    return family


class DatabaseCollector(Collector):
    """The figures of one snapshot of the database, as metric families."""

    def __init__(self, figures: Snapshot) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        message_labels = ["channel", "transport", "status"]
        yield _family(
            GaugeMetricFamily(
                "aap_inbound_messages", "Inbound messages kept, by status", labels=message_labels
            ),
            figures.inbound,
        )
        yield _family(
            GaugeMetricFamily(
                "aap_outbound_messages", "Outbox messages kept, by status", labels=message_labels
            ),
            figures.outbound,
        )
        depth = GaugeMetricFamily(
            "aap_queue_depth",
            "Messages waiting: inbound for the assistant, outbox to send",
            labels=["queue"],
        )
        age = GaugeMetricFamily(
            "aap_queue_oldest_age_seconds",
            "Age of the oldest waiting message (0: none)",
            labels=["queue"],
        )
        for name, queue in sorted(figures.queues.items()):
            depth.add_metric([name], queue.depth)
            age.add_metric([name], queue.oldest_age_seconds)
        yield depth
        yield age
        yield GaugeMetricFamily(
            "aap_handoff_waiting",
            "People waiting for an operator",
            value=figures.handoff_waiting.depth,
        )
        yield GaugeMetricFamily(
            "aap_handoff_oldest_wait_seconds",
            "How long the first person in the operators' queue has waited (0: nobody)",
            value=figures.handoff_waiting.oldest_age_seconds,
        )
        case_labels = ["category", "sensitivity"]
        yield _family(
            CounterMetricFamily(
                "aap_cases_created",
                "Cases created, by category code (S2/S3: `restricted`) and sensitivity",
                labels=case_labels,
            ),
            figures.cases_created,
        )
        yield _family(
            GaugeMetricFamily(
                "aap_cases_overdue",
                "Open cases past a target now, by category code (S2/S3: `restricted`)",
                labels=case_labels,
            ),
            figures.cases_overdue,
        )


def render(session: Session) -> bytes:
    """The whole exposition: this process's metrics, then the database's."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(DatabaseCollector(snapshot.take(session)))
    return generate_latest(PROCESS) + generate_latest(scrape)
