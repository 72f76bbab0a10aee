// The monthly report's month: "YYYY-MM", as GET /api/bra/report?month= takes it.

const MONTHS = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];

/** A real month "YYYY-MM" that the server reports on (2000 or later). */
export function validMonth(m: string): boolean {
  const r = /^(\d{4})-(\d{2})$/.exec(m);
  if (!r) return false;
  const year = Number(r[1]);
  const month = Number(r[2]);
  return year >= 2000 && month >= 1 && month <= 12;
}

/** The month before the one `today` is in: a monthly report is usually written for the month just ended. */
export function previousMonth(today: Date): string {
  const year = today.getMonth() === 0 ? today.getFullYear() - 1 : today.getFullYear();
  const month = today.getMonth() === 0 ? 12 : today.getMonth();
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** "november 2026". */
export function swedishMonth(m: string): string {
  if (!validMonth(m)) return m;
  const [year, month] = m.split('-');
  return `${MONTHS[Number(month) - 1]} ${year}`;
}
