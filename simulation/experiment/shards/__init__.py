"""A region in independent shards: partition, shard runs and their combination (docs/shards.md)."""
