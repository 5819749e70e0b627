/**
 * What an invitation (.ics, RFC 5545) is about: the first event's what, when and where. Read as
 * text and shown as text; nothing in it is followed or run.
 */
export interface CalendarEvent {
  summary: string;
  start: string | null;
  end: string | null;
  location: string;
  organizer: string;
  description: string;
  /** REQUEST (an invitation), CANCEL, REPLY…; empty when not said. */
  method: string;
}

/** Content lines: a line starting with a space or tab continues the previous one. */
function unfold(text: string): string[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
}

function unescapeText(value: string): string {
  return value.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}

function property(line: string): Property | null {
  // NAME;PARAM=value;PARAM="quoted:value":VALUE — the first colon outside quotes ends the params.
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return null;
  const [name = '', ...rawParams] = line.slice(0, colon).split(';');
  const params: Record<string, string> = {};
  for (const param of rawParams) {
    const eq = param.indexOf('=');
    if (eq > 0)
      params[param.slice(0, eq).toUpperCase()] = param.slice(eq + 1).replace(/^"|"$/g, '');
  }
  return { name: name.toUpperCase(), params, value: line.slice(colon + 1) };
}

const pad = (text: string | undefined) => Number(text ?? 0);

/** A DATE or DATE-TIME in words: UTC times in the reader's zone, others with their zone named. */
export function calendarTime(prop: Property, locale?: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/.exec(prop.value.trim());
  if (!m) return prop.value;
  const [, y, mo, d, h, mi, s, utc] = m;
  if (h === undefined) {
    const date = new Date(pad(y), pad(mo) - 1, pad(d));
    return date.toLocaleDateString(locale, { dateStyle: 'full' });
  }
  const style = { dateStyle: 'full', timeStyle: 'short' } as const;
  if (utc) {
    return new Date(Date.UTC(pad(y), pad(mo) - 1, pad(d), pad(h), pad(mi), pad(s))).toLocaleString(
      locale,
      style,
    );
  }
  const local = new Date(pad(y), pad(mo) - 1, pad(d), pad(h), pad(mi), pad(s));
  const zone = prop.params.TZID;
  return `${local.toLocaleString(locale, style)}${zone ? ` (${zone})` : ''}`;
}

export function parseCalendar(text: string, locale?: string): CalendarEvent | null {
  let method = '';
  let inEvent = false;
  let event: CalendarEvent | null = null;
  for (const line of unfold(text)) {
    const prop = property(line);
    if (!prop) continue;
    if (prop.name === 'METHOD' && !inEvent) method = prop.value.trim().toUpperCase();
    if (prop.name === 'BEGIN' && prop.value.trim().toUpperCase() === 'VEVENT') {
      if (event) break; // The first event is the invitation's.
      inEvent = true;
      event = {
        summary: '',
        start: null,
        end: null,
        location: '',
        organizer: '',
        description: '',
        method,
      };
      continue;
    }
    if (prop.name === 'END' && prop.value.trim().toUpperCase() === 'VEVENT') {
      inEvent = false;
      continue;
    }
    if (!inEvent || !event) continue;
    switch (prop.name) {
      case 'SUMMARY':
        event.summary = unescapeText(prop.value);
        break;
      case 'DTSTART':
        event.start = calendarTime(prop, locale);
        break;
      case 'DTEND':
        event.end = calendarTime(prop, locale);
        break;
      case 'LOCATION':
        event.location = unescapeText(prop.value);
        break;
      case 'DESCRIPTION':
        event.description = unescapeText(prop.value);
        break;
      case 'ORGANIZER': {
        const address = prop.value.replace(/^mailto:/i, '');
        event.organizer = prop.params.CN ? `${prop.params.CN} <${address}>` : address;
        break;
      }
    }
  }
  return event;
}
