/** Dates on cards: "Nov 21, 2023", with a machine-readable form for `<time datetime>` when one is known. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_PREFIXES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export interface CardDate {
  label: string;
  /** Valid `<time datetime>` value; absent when the input was free text we could not read. */
  datetime?: string;
}

/**
 * Formats in UTC so the same card renders identically on every server and cache. Accepts ISO strings
 * (capture data) and the "November 21, 2023" / "21 November 2023" forms articles carry in their
 * blockquotes; anything else is shown as written rather than guessed at.
 */
export function formatCardDate(value: string): CardDate {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = new Date(`${text}T00:00:00Z`);
    return Number.isNaN(day.getTime()) ? { label: text } : { label: label(day), datetime: text };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const at = new Date(text);
    return Number.isNaN(at.getTime()) ? { label: text } : { label: label(at), datetime: at.toISOString() };
  }
  const named = /^([A-Za-z]+)\.? (\d{1,2}),? (\d{4})$/.exec(text) ?? swapDayMonth(/^(\d{1,2}) ([A-Za-z]+)\.?,? (\d{4})$/.exec(text));
  if (named) {
    const month = MONTH_PREFIXES.indexOf(named[1]!.slice(0, 3).toLowerCase());
    const day = new Date(Date.UTC(Number(named[3]), month, Number(named[2])));
    if (month >= 0 && day.getUTCDate() === Number(named[2])) {
      return { label: label(day), datetime: day.toISOString().slice(0, 10) };
    }
  }
  return { label: text };
}

function swapDayMonth(m: RegExpExecArray | null): string[] | null {
  return m ? [m[0], m[2]!, m[1]!, m[3]!] : null;
}

function label(date: Date): string {
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
}
