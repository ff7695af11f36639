// The actions this gateway holds while reviewers decide: each waits on one promise, with a deadline
// timer and a hook to the requester's going away. Settling one releases all three, exactly once.
import type { VigilError } from '../core/errors.js';
import type { HoldApproval } from '../pipeline/pipeline.js';

export interface HeldAction {
  readonly resolve: (approval: HoldApproval) => void;
  readonly reject: (err: VigilError) => void;
  readonly timer: NodeJS.Timeout;
  /** Stops listening for the requester's going away. */
  readonly detach: () => void;
}

export class HeldActions {
  readonly #held = new Map<string, HeldAction>();

  get size(): number {
    return this.#held.size;
  }

  ids(): string[] {
    return [...this.#held.keys()];
  }

  has(id: string): boolean {
    return this.#held.has(id);
  }

  add(id: string, action: HeldAction): void {
    this.#held.set(id, action);
  }

  /** Lets the action run; false when nothing here waits on `id`. */
  release(id: string, approval: HoldApproval): boolean {
    const action = this.#take(id);
    action?.resolve(approval);
    return action !== undefined;
  }

  /** Refuses the action. */
  refuse(id: string, err: VigilError): void {
    this.#take(id)?.reject(err);
  }

  /** Refuses every held action (the gateway is stopping). */
  refuseAll(errorFor: (id: string) => VigilError): void {
    for (const id of this.ids()) this.refuse(id, errorFor(id));
  }

  #take(id: string): HeldAction | undefined {
    const action = this.#held.get(id);
    if (!action) return undefined;
    clearTimeout(action.timer);
    action.detach();
    this.#held.delete(id);
    return action;
  }
}
