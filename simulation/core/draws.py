"""Where a client's random draws and ids come from (shared by ``model`` and ``cohort``)."""

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
