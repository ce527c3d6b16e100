from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.html import escape

from expvar.process import this_process
from expvar.push import cluster
from expvar.push.cluster import TEMPLATE, Heartbeat, context
from expvar.push.stores import current
from expvar.resolution import resolve
from tests.push.conftest import SharedStore


def other(pid: int) -> Any:
    return dataclasses.replace(this_process(), id=f"elsewhere:{pid}:1.0", host="elsewhere", pid=pid)


@pytest.mark.redis
def test_heartbeat_lists_this_process_with_a_ttl(
    shared_store: SharedStore, redis_client: Any
) -> None:
    with shared_store(HEARTBEAT=5) as store:
        store.beat()
        [record] = store.processes()
        me = this_process()
        assert (record.host, record.pid, record.id) == (me.host, me.pid, me.id)
        assert record.started == me.started
        assert abs(record.last_seen - time.time()) < 60
        [key] = redis_client.keys(f"*{store.config.key_prefix}:proc:*")
        assert 0 < redis_client.ttl(key) <= 15  # three heartbeats


@pytest.mark.redis
def test_processes_sharing_a_store_see_each_other(shared_store: SharedStore) -> None:
    with shared_store(HEARTBEAT=5) as store:
        store.beat()
        backend = store._backend()
        prefix = store._prefix
        Heartbeat(prefix, 5).beat(backend, other(4242), pending=3)
        records = store.processes()
        assert [r.host for r in records] == sorted([this_process().host, "elsewhere"])
        assert [r.pending for r in records if r.pid == 4242] == [3]


@pytest.mark.redis
def test_a_beat_keeps_its_slot_and_moves_if_another_process_took_it(
    shared_store: SharedStore,
) -> None:
    with shared_store(HEARTBEAT=5) as store:
        backend, prefix, me = store._backend(), store._prefix, this_process()
        mine = Heartbeat(prefix, 5)
        mine.beat(backend, me, 0)
        slot = mine.slot
        mine.beat(backend, me, 0)
        assert mine.slot == slot is not None
        taken = '{"id": "x", "host": "h", "pid": 1, "started": 0, "last_seen": 9e9}'
        backend.set(f"{prefix}proc:{slot}", taken, 15)
        mine.beat(backend, me, 0)
        moved = mine.slot
        assert moved not in (None, slot)
        backend.set(f"{prefix}proc:{moved}", taken, 15)
        mine.release(backend, me)  # not ours any more: left alone
        assert backend.get(f"{prefix}proc:{moved}") == taken
        mine.beat(backend, me, 0)
        ours = mine.slot
        mine.release(backend, me)
        assert backend.get(f"{prefix}proc:{ours}") is None


@pytest.mark.redis
def test_a_beat_takes_its_expired_slot_back_only_if_it_is_still_free(
    shared_store: SharedStore,
) -> None:
    with shared_store(HEARTBEAT=5) as store:
        backend, prefix, me = store._backend(), store._prefix, this_process()
        mine = Heartbeat(prefix, 5)
        mine.beat(backend, me, 0)
        slot = mine.slot
        assert slot is not None
        backend.delete(f"{prefix}proc:{slot}")  # as when its TTL ran out
        mine.beat(backend, me, 0)
        assert mine.slot == slot
        mine.release(backend, me)


@pytest.mark.redis
def test_stale_or_garbled_records_are_not_listed(shared_store: SharedStore) -> None:
    with shared_store(HEARTBEAT=1) as store:
        backend, prefix = store._backend(), store._prefix
        backend.set(f"{prefix}proc:1", "not json", 15)
        backend.set(f"{prefix}proc:2", 12, 15)
        backend.set(f"{prefix}proc:3", json.dumps({"id": "x", "host": "h"}), 15)
        old = {"id": "x", "host": "h", "pid": 1, "started": 0, "last_seen": time.time() - 60}
        backend.set(f"{prefix}proc:4", json.dumps(old), 15)
        assert store.processes() == []


@pytest.mark.redis
def test_a_record_from_another_version_is_listed_by_the_fields_it_shares(
    shared_store: SharedStore,
) -> None:
    with shared_store(HEARTBEAT=1) as store:
        backend, prefix = store._backend(), store._prefix
        newer = {"id": "h:7:1", "host": "h", "pid": "7", "started": 1, "last_seen": time.time()}
        backend.set(f"{prefix}proc:5", json.dumps({**newer, "region": "eu"}), 15)
        [record] = store.processes()
        assert (record.id, record.pid, record.started) == ("h:7:1", 7, 1.0)


@pytest.mark.redis
def test_heartbeat_off_lists_no_processes(shared_store: SharedStore) -> None:
    with shared_store(HEARTBEAT=0) as store:
        store.beat()
        assert store.processes() == []


@pytest.mark.redis
def test_first_request_starts_the_heartbeat(shared_store: SharedStore) -> None:
    with shared_store(HEARTBEAT=1) as store:
        assert store.processes() == []
        Client().get("/debug/vars")
        deadline = time.monotonic() + 10
        while not store.processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.pid for r in store.processes()] == [this_process().pid]


def test_local_store_lists_only_this_process() -> None:
    data = context(RequestFactory().get("/"), resolve())
    assert data["store"]["backend"] == "local"
    [row] = data["processes"]
    assert row["current"]
    assert row["record"].pid == this_process().pid


@pytest.mark.django_db
def test_dashboard_shows_the_processes_panel(client: Client) -> None:
    from expvar.dashboard.panels import registered_panels

    assert TEMPLATE in [panel.template_name for panel in registered_panels()]
    user = User.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    response = client.get(reverse("admin:expvar_variable_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="expvar-processes"' in html
    assert f"{this_process().pid} <span" in html
    assert "data-expvar-current" in html
    assert escape(current().status().description) in html


def test_process_identity_is_stable_within_a_process() -> None:
    assert this_process() is this_process()


@pytest.mark.redis
def test_no_slot_left_means_not_listed(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "SLOTS", 2)
    with shared_store(HEARTBEAT=5) as store:
        backend, prefix = store._backend(), store._prefix
        beats = [Heartbeat(prefix, 5) for _ in range(3)]
        for heartbeat, process in zip(beats, [other(1), other(2), this_process()], strict=True):
            heartbeat.beat(backend, process, 0)
        assert [heartbeat.slot is not None for heartbeat in beats] == [True, True, False]
        assert [r.pid for r in store.processes()] == [1, 2]
