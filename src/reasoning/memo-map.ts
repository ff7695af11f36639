// Values a tree build computes once per key and reuses: an agent's calls repeat the whole
// conversation so far, so the same texts come back with every call.

/** The value kept in `map` under `key`, computed and kept on first use. */
export function getOrCompute<K, V>(map: Map<K, V>, key: K, compute: (key: K) => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = compute(key);
    map.set(key, value);
  }
  return value;
}
