// A worker entry that fails while it loads (the pool's boot fault tests).
throw new Error('broken entry: thrown while loading');
