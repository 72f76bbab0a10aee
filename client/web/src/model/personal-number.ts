// Swedish personal identity numbers in free text: the same rules as est::find_personal_numbers
// (shared/src/personal_number.cpp), checked against the same vectors (tests/vectors/personal_numbers.json). The
// server's flags are what count; the client uses this to mark what is being typed before the server's flag arrives.
//
// Flagged: a run of 10 or 12 digits standing alone (no digit right before or after), optionally with one '-' (or a
// dash a word processor makes of it, or one space; with 10 digits also '+') before the last four and/or a line
// break there; a real birth date (day + 60 for a
// samordningsnummer; centuries 18–20 for 12 digits) and a Luhn check digit over the last ten digits.

export type PersonalNumberKind = 'personnummer' | 'samordningsnummer';

/** [begin, end) in UTF-16 code units, as JavaScript strings index. */
export interface PersonalNumberMatch {
  begin: number;
  end: number;
  kind: PersonalNumberKind;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function pastLineBreak(text: string, at: number): number {
  if (text[at] === '\r') return text[at + 1] === '\n' ? at + 2 : at + 1;
  if (text[at] === '\n') return at + 1;
  return at;
}

function digitsFrom(text: string, at: number): number {
  let end = at;
  while (isDigit(text[end])) end++;
  return end;
}

// What stands between the date and the last four digits: '-' or a dash a word processor puts there instead
// (hyphen, non-breaking hyphen, figure dash, en dash, minus sign), or one space (also a no-break space).
const SEPARATORS = new Set(['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2212', ' ', '\u00a0', '\u202f']);
const isSeparator = (c: string | undefined): boolean => c !== undefined && SEPARATORS.has(c);

const leap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// year < 0: two digits only, where 29 February is real whenever they are a multiple of four.
function realDay(year: number, twoDigitYear: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return year >= 0 ? leap(year) : twoDigitYear % 4 === 0;
  return day <= monthDays[month - 1];
}

function luhnHolds(d: number[]): boolean {
  let sum = 0;
  d.forEach((digit, i) => {
    const v = i % 2 === 0 ? digit * 2 : digit;
    sum += v > 9 ? v - 9 : v;
  });
  return sum % 10 === 0;
}

export function findPersonalNumbers(text: string): PersonalNumberMatch[] {
  const out: PersonalNumberMatch[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text[i]) || (i > 0 && isDigit(text[i - 1]))) {
      i++;
      continue;
    }
    const start = i;
    const firstEnd = digitsFrom(text, start);
    let digits = text.slice(start, firstEnd);
    let end = firstEnd;
    let found = false;
    if (digits.length === 10 || digits.length === 12) {
      found = true;
    } else if (digits.length === 6 || digits.length === 8) {
      let at = pastLineBreak(text, firstEnd);
      let separated = at !== firstEnd;
      if (isSeparator(text[at]) || (text[at] === '+' && digits.length === 6)) {
        at = pastLineBreak(text, at + 1);
        separated = true;
      }
      const secondEnd = digitsFrom(text, at);
      if (separated && secondEnd - at === 4) {
        digits += text.slice(at, secondEnd);
        end = secondEnd;
        found = true;
      }
    }
    i = found ? end : firstEnd;
    if (!found) continue;
    const d = [...digits.slice(digits.length - 10)].map(Number);
    const yy = d[0] * 10 + d[1];
    const month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    let year = -1;
    if (digits.length === 12) {
      const century = Number(digits.slice(0, 2));
      if (century < 18 || century > 20) continue;
      year = century * 100 + yy;
    }
    const coordination = day > 60;
    if (coordination) day -= 60;
    if (!realDay(year, yy, month, day) || !luhnHolds(d)) continue;
    out.push({ begin: start, end, kind: coordination ? 'samordningsnummer' : 'personnummer' });
  }
  return out;
}
