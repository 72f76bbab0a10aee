// Swedish words of the interface that come from codes.
import type { Role } from './model/types';

export const ROLE_LABELS: Record<Role, string> = {
  participant: 'Deltagare',
  chair: 'Ordförande',
  cosigner: 'Medundertecknare',
  bra_member: 'BRÅ-ledamot',
  admin: 'Administratör',
};

export const ROLE_HINTS: Record<Role, string> = {
  participant: 'Fyller i sin organisations del av lägesbilden.',
  chair: 'Leder mötet och skriver samlad bedömning per ämne.',
  cosigner: 'Skriver under lägesbilden tillsammans med ordföranden och fyller i sin organisations del.',
  bra_member: 'Följer mötet utan att skriva.',
  admin: 'Följer mötet utan att skriva.',
};

const MONTHS = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];
const DAYS = ['söndag', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag'];

/** "tisdag 17 november 2026" from "2026-11-17". */
export function swedishDate(iso: string, withDay = true): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  const text = `${+m[3]} ${MONTHS[+m[2] - 1]} ${m[1]}`;
  return withDay ? `${DAYS[d.getUTCDay()]} ${text}` : text;
}

/** "2026-12-04": the day in the browser's time zone. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The ISO 8601 week (1–53) of "YYYY-MM-DD" as Swedish calendars print it, or 0 for anything else. */
export function isoWeek(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return 0;
  const day = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  if (Number.isNaN(day)) return 0;
  const weekday = ((new Date(day).getUTCDay() + 6) % 7) + 1; // Monday 1 … Sunday 7
  const thursday = new Date(day + (4 - weekday) * 86400000);
  const newYear = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return Math.floor((thursday.getTime() - newYear) / 86400000 / 7) + 1;
}

/** The title a meeting on `iso` gets when none is given (the server's own default, before any " (2)"). */
export function defaultMeetingTitle(iso: string): string {
  const w = isoWeek(iso);
  return w ? `EST-möte vecka ${w}` : 'EST-möte';
}

/** "Polisen" for "Polisen, lokalpolisområde Norra Västmanland": the part before the first comma. */
export function shortOrgName(name: string): string {
  const i = name.indexOf(',');
  return i > 0 ? name.slice(0, i) : name;
}

/** What to call an organisation in headers, presence and lists: the server's label, else its name up to a comma. */
export function orgLabel(o: { name: string; label?: string }): string {
  return o.label || shortOrgName(o.name);
}

/** A stable colour for a participant (dark enough for white text, WCAG AA). */
const COLOURS = ['#1b5e20', '#0d47a1', '#6a1b9a', '#b71c1c', '#004d40', '#4e342e', '#283593', '#880e4f', '#37474f', '#bf360c'];
export function colourFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; ++i) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length];
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = Array.from(parts[0])[0] ?? '';
  const last = parts.length > 1 ? Array.from(parts[parts.length - 1])[0] ?? '' : '';
  return (first + last).toUpperCase();
}
