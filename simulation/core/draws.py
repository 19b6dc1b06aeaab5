"""Where a client's random draws and ids come from (shared by ``model`` and ``cohort``)."""
from __future__ import annotations

from simulation.core.streams import generator

# Per-client block of uniforms drawn at instroom (common random numbers). Draws are tied to a
# place in the client's story, not to the order in which things happen: episode e (the
# first aanmelding, then each recidive), and trajecten by lane (episode, 0 = main chain,
# 1 = stacked chain) and position in that lane. So capacity or funding that changes *when*
# things happen never hands one traject's draws to another.
EPISODE_SLOTS = 5   # per aanmelding: voorliggend veld, toegang time, stacking, recidive, recidive delay
EPISODES = 3        # episodes 0-2 in the block
TRAJECT_SLOTS = 5   # per traject: type, provider, doorlooptijd, outcome, uitval point
LANE_SIZES = {(0, 0): 6, (0, 1): 2, (1, 0): 2}   # trajecten per lane in the block; the rest from a per-client stream
LANE_FIRST = {(0, 0): EPISODES * EPISODE_SLOTS, (0, 1): EPISODES * EPISODE_SLOTS + 6 * TRAJECT_SLOTS,
              (1, 0): EPISODES * EPISODE_SLOTS + 8 * TRAJECT_SLOTS}
BLOCK = EPISODES * EPISODE_SLOTS + sum(LANE_SIZES.values()) * TRAJECT_SLOTS
MAX_TRAJECTEN = 999          # traject id = client id * 1000 + sequence number
CLIENTS_PER_STREAM = 10_000_000
INITIAL_CLIENT_OFFSET = 9_000_000   # ids of clients in the initial caseload, per stream


class Client:
    """One client on the shared clock or a private one: who, where, and its block of uniforms.

    ``draws[first:first + BLOCK]``: the client's row of the pre-drawn block (a float64 numpy row, or
    the stream's whole block as one ``array("d")``, which slices about three times faster);
    ``ClientDraws`` turns only the slices a life uses into Python floats, so a client holds no 65
    float objects of its own.
    """

    __slots__ = ("id", "mun", "seg", "draws", "first", "next_traject", "episode", "stream", "env", "extra")

    def __init__(self, cid: int, mun: int, seg: int, draws, stream: tuple, env, first: int = 0):
        self.id, self.mun, self.seg, self.draws, self.stream, self.first = cid, mun, seg, draws, stream, first
        self.next_traject = 0   # numbers the client's trajecten (their ids), in order of toewijzing
        self.episode = 0
        self.extra = None       # draws beyond the block: {lane or episode key: list}
        self.env = env   # the shared simpy Environment, or the client's own private_clock.PrivateClock


class ClientDraws:
    """A replication's source of per-client uniforms: the pre-drawn block, then fallback streams."""

    def __init__(self, seed: int, replication: int):
        self.seed, self.replication = seed, replication

    def fallback(self, cache: dict, stream: tuple, cid: int, key: str, p: int) -> list[float]:
        """5 uniforms at position ``p`` of a per-client stream for ``key`` (beyond the pre-drawn block).

        ``cache`` keeps what was drawn, per client and key.
        """
        draws = cache.get((cid, key))
        if draws is None or len(draws) < 5 * (p + 1):
            # keyed by the client's place in its (municipality, segment) stream, not by its id: ids
            # are numbered by the positions of municipality and segment in the scenario, so adding
            # a segment would otherwise hand other segments' clients new draws (no common random numbers)
            rng = generator(self.seed, self.replication, "fallback", *stream, str(cid % CLIENTS_PER_STREAM), key)
            # regenerated from the start: the same stream gives the same prefix, only longer
            draws = cache[(cid, key)] = rng.random(5 * (p + 4)).tolist()
        return draws[5 * p:5 * p + 5]

    def _extra(self, client: Client, key: str, p: int) -> list[float]:
        if client.extra is None:
            client.extra = {}
        return self.fallback(client.extra, client.stream, client.id, key, p)

    def episode(self, client: Client) -> list[float]:
        """Uniforms of the client's current episode: vv share, toegang time, stacking, recidive, delay."""
        e = client.episode
        if e < EPISODES:
            first = client.first + e * EPISODE_SLOTS
            return client.draws[first:first + EPISODE_SLOTS].tolist()
        return self._extra(client, f"episode {e}", 0)

    def traject(self, client: Client, lane: tuple[int, int], p: int) -> list[float]:
        """Uniforms of the p-th traject in a lane: type, provider, doorlooptijd, outcome, uitval point."""
        if p < LANE_SIZES.get(lane, 0):
            first = client.first + LANE_FIRST[lane] + p * TRAJECT_SLOTS
            return client.draws[first:first + TRAJECT_SLOTS].tolist()
        return self._extra(client, f"lane {lane[0]} {lane[1]}", p)
