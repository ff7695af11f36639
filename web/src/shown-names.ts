// The identities' names the page shows at this moment, so that each can be compared with the others:
// `aIice` asking on an approval card is harmless ASCII on its own, and misleading only beside the
// `alice` a reviewer knows (name-skeleton.ts). Every drawn name is added while it is on the page and
// removed when it leaves; listeners hear of changes once per task, not once per name, so a timeline
// drawing hundreds of names re-reads the look-alikes once.
import { nameSkeleton } from './name-skeleton.js';

export class ShownNames {
  /** Skeleton → name → how many places draw it. */
  private readonly bySkeleton = new Map<string, Map<string, number>>();
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private pending = false;

  /** Draws `name` somewhere on the page; the function returned takes it away again. */
  add(name: string): () => void {
    const skeleton = nameSkeleton(name);
    let names = this.bySkeleton.get(skeleton);
    if (!names) {
      names = new Map();
      this.bySkeleton.set(skeleton, names);
    }
    names.set(name, (names.get(name) ?? 0) + 1);
    this.changed();
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const count = names.get(name) ?? 0;
      if (count > 1) names.set(name, count - 1);
      else names.delete(name);
      if (names.size === 0 && this.bySkeleton.get(skeleton) === names) this.bySkeleton.delete(skeleton);
      this.changed();
    };
  }

  /** The other names on the page that look like `name`, sorted; empty when none does. */
  lookAlikesOf(name: string): string[] {
    const names = this.bySkeleton.get(nameSkeleton(name));
    if (!names) return [];
    return [...names.keys()].filter((other) => other !== name).sort();
  }

  /** Changes with every set of names heard by listeners: a snapshot for useSyncExternalStore. */
  get snapshot(): number {
    return this.version;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.version++;
      for (const listener of [...this.listeners]) listener();
    });
  }
}
