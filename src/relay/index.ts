// The protocol-neutral write-ahead TCP relay (docs/protocols.md): the contract and the relay.
export type { MessageFramer, Relay, RelayFarewells, RelayProtocol } from './relay-protocol.js';
export { DEFAULT_READ_AHEAD_BYTES, type RelayEnds, WriteAheadRelay } from './write-ahead-relay.js';
