// The approval requests a caller may see, for the inbox (GET /api/approvals and its stream). The
// store answers the newest `limit` requests and the caller's visibility is judged afterwards, so
// whoever can make requests cheaply could push older ones out of that page: until 5 December 2026,
// 200 access requests by any signed-in user (one API call each) hid a held statement, a break-glass
// review or another person's access request from every reviewer's inbox, without a trace on the
// page. Each kind is now read on its own, so a flood of access requests can no longer hide a held
// action or a break-glass review; and the answer says when a kind filled its page
// (`truncated`), so a reviewer is told that older requests exist instead of seeing a complete-looking
// list. (The store offers no cursor, so the older ones themselves are for `vigil approvals`.)
import {
  APPROVAL_KINDS,
  type ApprovalKind,
  type ApprovalRecord,
  type ApprovalStatus,
  type ApprovalStore,
} from '../../core/ports.js';
import type { RouteContext } from '../admin-route.js';

export interface VisibleApprovals {
  readonly approvals: ApprovalRecord[];
  /** Some kind filled the page the store was asked for: older requests of it were not read. */
  readonly truncated: boolean;
}

export interface ApprovalListing {
  readonly status?: ApprovalStatus;
  readonly kind?: ApprovalKind;
  /** Per kind. */
  readonly limit: number;
}

export async function visibleApprovals(
  store: Pick<ApprovalStore, 'listApprovals'>,
  caller: RouteContext['caller'],
  canSee: (caller: RouteContext['caller'], record: ApprovalRecord) => boolean,
  listing: ApprovalListing,
): Promise<VisibleApprovals> {
  const kinds = listing.kind ? [listing.kind] : APPROVAL_KINDS;
  const pages = await Promise.all(
    kinds.map((kind) =>
      store.listApprovals({
        ...(listing.status ? { status: listing.status } : {}),
        kind,
        limit: listing.limit,
      }),
    ),
  );
  const truncated = pages.some((page) => page.length >= listing.limit);
  // The store's order, across kinds: newest first, then by id.
  const approvals = pages
    .flat()
    .filter((r) => canSee(caller, r))
    .sort((a, b) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
    );
  return { approvals, truncated };
}
