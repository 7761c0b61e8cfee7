"""The refresh scheduler on its own: what starts when, with a clock the test moves."""

from __future__ import annotations

from dashboard.refresh_scheduler import WALK_SHARE, Refresh, RefreshScheduler


class _Runs:
    """Records the refreshes the scheduler starts; the test says when each one finishes."""

    def __init__(self) -> None:
        self.started: list[Refresh] = []
        self.now = 1000.0

    def scheduler(self, requery_seconds: float = 60.0) -> RefreshScheduler:
        return RefreshScheduler(self.started.append, requery_seconds=requery_seconds,
                                clock=lambda: self.now)


def test_an_idle_scheduler_starts_at_once() -> None:
    runs = _Runs()
    s = runs.scheduler()
    s.request(requery=True)
    assert runs.started == [Refresh(rescan=True, requery=True)]
    assert s.running


def test_requests_during_a_refresh_never_overlap_and_become_one_follow_up() -> None:
    runs = _Runs()
    s = runs.scheduler()
    s.request()
    for _ in range(50):  # a burst of watcher events while the first refresh runs
        s.request()
    s.request(rescan=False, requery=True)  # and a time-travel key
    assert len(runs.started) == 1
    assert s.waiting == Refresh(rescan=True, requery=True)
    s.finished()
    assert runs.started[1:] == [Refresh(rescan=True, requery=True)]
    assert s.running and s.waiting is None
    s.finished()
    assert len(runs.started) == 2 and not s.running


def test_a_failed_refresh_frees_the_scheduler_like_a_good_one() -> None:
    runs = _Runs()
    s = runs.scheduler()
    s.request()
    s.finished()  # the worker reported a failure
    s.request()
    assert len(runs.started) == 2


def test_periodic_requeries_the_live_view_only_once_it_has_aged() -> None:
    runs = _Runs()
    s = runs.scheduler(requery_seconds=60)
    s.request(requery=True)  # the first snapshot
    s.finished()
    runs.now += 30
    s.periodic()
    assert runs.started[-1] == Refresh(rescan=True, requery=False)
    s.finished()
    runs.now += 31
    s.periodic()
    assert runs.started[-1] == Refresh(rescan=True, requery=True)
    s.finished()
    runs.now += 1
    s.periodic()
    assert runs.started[-1] == Refresh(rescan=True, requery=False)


def test_a_past_view_is_never_requeried_by_the_clock() -> None:
    runs = _Runs()
    s = runs.scheduler(requery_seconds=60)
    runs.now += 3600
    s.periodic(live=False)
    assert runs.started == [Refresh(rescan=True, requery=False)]


def test_a_snapshot_from_new_data_resets_the_live_age() -> None:
    runs = _Runs()
    s = runs.scheduler(requery_seconds=60)
    runs.now += 50
    s.queried()  # new data brought a fresh snapshot
    runs.now += 50
    s.periodic()
    assert runs.started == [Refresh(rescan=True, requery=False)]


def test_a_slow_whole_rescan_comes_less_often_and_watcher_paths_merge() -> None:
    runs = _Runs()
    s = runs.scheduler(requery_seconds=600)
    s.request()  # a whole rescan of a folder of 100,000 files: 1 s
    runs.now += 1.0
    s.finished()
    runs.now += 3
    s.periodic()  # the safety net: only the files waiting for their grace period
    assert runs.started[-1] == Refresh(rescan=True, requery=False, paths=frozenset())
    s.request(paths=frozenset({"/d/progress/a.parquet"}))  # the watcher, meanwhile
    s.request(paths=frozenset({"/d/progress/b.parquet"}))
    assert s.waiting == Refresh(True, False, frozenset({"/d/progress/a.parquet",
                                                        "/d/progress/b.parquet"}))
    s.finished()
    s.finished()
    runs.now += 1 / WALK_SHARE  # the walk's share of the time is spent: walk again
    s.periodic()
    assert runs.started[-1] == Refresh(rescan=True, requery=False, paths=None)
    s.request(paths=frozenset({"/d/progress/c.parquet"}))  # the walk may be past it
    assert s.waiting == Refresh(True, False, frozenset({"/d/progress/c.parquet"}))
    s.request()  # the watcher restarted: anything may have changed
    assert s.waiting == Refresh(rescan=True, requery=False, paths=None)
