// Who else the page shows, for the look-alike mark: App holds one ShownNames for the whole page (the
// header's signed-in name counts as much as a card's requester), and each drawn name joins it while
// it is drawn (shown-names.ts, name-skeleton.ts).
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { ShownNames } from '../shown-names';

const ShownNamesContext = createContext<ShownNames | null>(null);

export function ShownNamesProvider({ children }: { children: React.ReactNode }) {
  const [names] = useState(() => new ShownNames());
  return <ShownNamesContext.Provider value={names}>{children}</ShownNamesContext.Provider>;
}

/**
 * Draws `name` on the page for as long as the caller is mounted, and answers the other names on the
 * page that look like it (none outside a ShownNamesProvider).
 */
export function useLookAlikeNames(name: string): readonly string[] {
  const names = useContext(ShownNamesContext);
  useEffect(() => names?.add(name), [names, name]);
  // A string snapshot, so a name re-renders only when its own look-alikes change.
  const subscribe = useCallback((listener: () => void) => names?.subscribe(listener) ?? (() => {}), [names]);
  const read = useCallback(() => JSON.stringify(names?.lookAlikesOf(name) ?? []), [names, name]);
  const json = useSyncExternalStore(subscribe, read);
  return useMemo(() => JSON.parse(json) as string[], [json]);
}
