// What a reader asks of a session's events when it needs only some of them (Store.readSessionContent):
// the reasoning tree of a 10,000-call session reads model turns without their unused members.
import type { EventType } from './events.js';

/** Which of a session's events a reader needs, and which members of their payloads it does not. */
export interface EventSelection {
  readonly types: readonly EventType[];
  /**
   * Per event type, payload members to leave out: dotted paths of object keys (`usage`,
   * `body.choices`), each key a plain name (letters, digits, `_`). A path that is not there (or
   * crosses a value that is not an object) leaves the payload as it is.
   */
  readonly omit?: { readonly [T in EventType]?: readonly string[] };
}
