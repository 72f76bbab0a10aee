// Importing open measures into the BRÅ queue (POST /api/bra/import): who may, and where in the file a refusal
// points.
import type { Me } from '../model/types';

/** The permission table's import_decision_items: a BRÅ member or an administrator of the group, or a server administrator. */
export function importMayIn(me: Me | null, groupId: string): boolean {
  if (!me) return false;
  if (me.is_admin) return true;
  const m = me.memberships.find((x) => x.group_id === groupId);
  return m?.role === 'bra_member' || m?.role === 'admin';
}

/**
 * Where the server's refusal of a file points, in Swedish: "row 3, column due: …" (CSV; rows counted as a
 * spreadsheet does, the header is row 1) or "items[2].fields.rubrik: …" (JSON, counted from 0); null otherwise.
 */
export function importErrorPlace(message: string): string | null {
  const csv = /^row (\d+)(?:, column ([^:]+))?:/.exec(message);
  if (csv) return `Fel på rad ${csv[1]}${csv[2] ? `, kolumnen ”${csv[2]}”` : ''}.`;
  const json = /^items\[(\d+)\](?:\.([^:]+))?:/.exec(message);
  if (json) return `Fel i åtgärd nummer ${Number(json[1]) + 1} i filen${json[2] ? `, fältet ”${json[2]}”` : ''}.`;
  return null;
}

/** Whether the person may import into any group: the queue page offers the import page only then. */
export function importMayAnywhere(me: Me | null): boolean {
  return !!me && (me.is_admin || me.memberships.some((m) => importMayIn(me, m.group_id)));
}
