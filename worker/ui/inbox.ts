// Pure helpers of the dashboard's approvals inbox (`/ui/approvals`).

/** Which part of the inbox a page shows: everything, one reviewer's, or the unassigned. */
export interface InboxFilter {
  assignee?: string;
  unassigned?: boolean;
}

/**
 * The filter of an inbox page from its query, and the API path that lists it. A
 * reviewer's name wins over `unassigned`; anything else is passed on for the API to
 * judge (a name it refuses shows as its problem on the page).
 *
 * @example
 * inboxQuery({ assignee: " alice " }) // { filter: { assignee: "alice" }, apiPath: "/v1/approvals?assignee=alice" }
 * inboxQuery({ unassigned: "true" })  // { filter: { unassigned: true }, apiPath: "/v1/approvals?unassigned=true" }
 */
export function inboxQuery(query: { assignee?: string | undefined; unassigned?: string | undefined }): { filter: InboxFilter; apiPath: string } {
  const assignee = query.assignee?.trim();
  if (assignee) return { filter: { assignee }, apiPath: `/v1/approvals?${new URLSearchParams({ assignee })}` };
  if (query.unassigned === "true") return { filter: { unassigned: true }, apiPath: "/v1/approvals?unassigned=true" };
  return { filter: {}, apiPath: "/v1/approvals" };
}

/**
 * How long until an approval expires, for people: `in 45 s`, `in 12 min`, `in 3 h 20 min`,
 * `in 2 d 4 h`, or `expired`.
 *
 * @example
 * expiresIn("2026-01-01T01:30:00.000Z", Date.parse("2026-01-01T00:00:00.000Z")) // "in 1 h 30 min"
 */
export function expiresIn(expiresAt: string, now: number): string {
  const s = Math.floor((Date.parse(expiresAt) - now) / 1000);
  if (!Number.isFinite(s) || s <= 0) return "expired";
  if (s < 60) return `in ${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `in ${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `in ${h} h${m % 60 ? ` ${m % 60} min` : ""}`;
  const d = Math.floor(h / 24);
  return `in ${d} d${h % 24 ? ` ${h % 24} h` : ""}`;
}
