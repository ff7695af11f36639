// A list that renders only the rows in view (plus a few either side), so a list of a hundred
// thousand sessions scrolls as smoothly as one of ten. Rows have one fixed height. Arrow keys,
// Page Up/Down, Home and End move the active row; Enter opens it.
import { useEffect, useRef, useState } from 'react';

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly height: number;
  readonly header?: React.ReactNode;
  readonly renderRow: (
    item: T,
    index: number,
    active: boolean,
    style: React.CSSProperties,
  ) => React.ReactNode;
  readonly onOpen: (item: T) => void;
  /** Called when the reader comes near the end, to load the next page. */
  readonly onNearEnd?: () => void;
  readonly label: string;
}

const OVERSCAN = 8;

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, height, renderRow, onOpen, onNearEnd } = props;
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  const headerHeight = props.header ? rowHeight : 0;

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (onNearEnd && last >= items.length - OVERSCAN && items.length > 0) onNearEnd();
  }, [last, items.length, onNearEnd]);

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(items.length - 1, index));
    setActive(next);
    const el = box.current;
    if (!el) return;
    const top = next * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + height - headerHeight)
      el.scrollTop = top + rowHeight - height + headerHeight;
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: items.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]!);
    } else if (event.key === 'Enter' && items[active] !== undefined) {
      event.preventDefault();
      onOpen(items[active]!);
    }
  };

  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      renderRow(items[i]!, i, i === active, {
        top: headerHeight + i * rowHeight,
        height: rowHeight,
      }),
    );
  }
  return (
    <div
      ref={box}
      className="vlist"
      role="listbox"
      aria-label={props.label}
      aria-activedescendant={items.length ? `row-${active}` : undefined}
      tabIndex={0}
      style={{ height }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      data-testid="virtual-list"
      data-rows={items.length}
    >
      {props.header}
      <div style={{ height: headerHeight + items.length * rowHeight }} />
      {rows}
    </div>
  );
}
