// Setting a key of an object built from untrusted JSON. `JSON.parse('{"__proto__": 1}')` gives an
// object with an own key `__proto__`; a copy made with `out[key] = value` sets the copy's prototype
// instead, and the key is gone from the copy, from its JSON and from its hash. A record made that
// way lacks what the target was sent, or what the client was answered.
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}
