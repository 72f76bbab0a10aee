// The situation picture (lägesbild) of one meeting as the server confirmed it: topics × organisations,
// each cell a list of entries, each topic with the chair's fields and its decision items. Mirrors
// shared/src/meeting_document.cpp (without the size limits: a replica accepts whatever the server accepted).
import { OtError, TextOperation, splitsSurrogatePair } from '../ot/text-operation';
import type { Change, FieldDef, FieldRef, MeetingTemplate } from './types';
import { entryKey, isRegister, itemKey } from './types';

export interface FieldValue {
  text: string; // text fields
  choice: string; // registers: choice, date and organisation fields ("" when unset)
  rev: number; // revision of the last set (registers)
}

export interface Entry {
  id: string;
  fields: Map<string, FieldValue>;
  /** The entry's sekretess marking (an OSL reference, "" once cleared) and its revision; absent: never marked. */
  secrecy?: { osl: string; rev: number };
}

/** A decision item (beslutsförslag): its fields from the template's `decision_item_fields`. */
export interface Item {
  id: string;
  fields: Map<string, FieldValue>;
}

export interface TopicState {
  fields: Map<string, FieldValue>;
  cells: Map<string, Entry[]>; // by organisation id
  /** In the order they were added. */
  items: Item[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD (the server's rule for a `date` field). */
export function isCalendarDay(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function emptyFields(defs: FieldDef[]): Map<string, FieldValue> {
  const m = new Map<string, FieldValue>();
  for (const d of defs) m.set(d.id, { text: '', choice: '', rev: 0 });
  return m;
}

function cutsSurrogatePair(op: TextOperation, text: string): boolean {
  let pos = 0;
  for (const c of op.components) {
    if (splitsSurrogatePair(text, pos)) return true;
    if (typeof c === 'number') pos += Math.abs(c);
  }
  return splitsSurrogatePair(text, pos);
}

export class MeetingDoc {
  readonly topics = new Map<string, TopicState>();
  readonly retired = new Set<string>();
  /** Removed decision items ("topic/item"): their ids are never used again in the topic. */
  readonly retiredItems = new Set<string>();

  constructor(
    readonly template: MeetingTemplate,
    readonly organisations: string[],
  ) {
    for (const t of template.topics) {
      const cells = new Map<string, Entry[]>();
      for (const o of organisations) cells.set(o, []);
      this.topics.set(t.id, { fields: emptyFields(template.topic_fields), cells, items: [] });
    }
  }

  /** The template's decision item fields (none: the template has no decision items). */
  itemFields(): FieldDef[] {
    return this.template.decision_item_fields ?? [];
  }

  definition(ref: FieldRef): FieldDef {
    const [defs, what] = ref.item
      ? [this.itemFields(), 'decision item']
      : ref.org
        ? [this.template.entry_fields, 'entry']
        : [this.template.topic_fields, 'topic'];
    const d = defs.find((f) => f.id === ref.field);
    if (!d) throw new OtError('not_found', `the template has no ${what} field '${ref.field}'`);
    return d;
  }

  topic(id: string): TopicState {
    const t = this.topics.get(id);
    if (!t) throw new OtError('not_found', `there is no topic '${id}'`);
    return t;
  }

  cell(topic: string, org: string): Entry[] {
    const c = this.topic(topic).cells.get(org);
    if (!c) throw new OtError('not_found', `organisation '${org}' is not part of this meeting's group`);
    return c;
  }

  hasEntry(topic: string, org: string, entry: string): boolean {
    const c = this.topics.get(topic)?.cells.get(org);
    return !!c && c.some((e) => e.id === entry);
  }

  items(topic: string): Item[] {
    return this.topic(topic).items;
  }

  hasItem(topic: string, item: string): boolean {
    return !!this.topics.get(topic)?.items.some((i) => i.id === item);
  }

  /** Throws OtError('not_found') when the field does not exist. */
  field(ref: FieldRef): FieldValue {
    this.definition(ref);
    const t = this.topic(ref.topic);
    if (ref.item) {
      const i = t.items.find((x) => x.id === ref.item);
      if (!i) throw new OtError('not_found', `there is no decision item '${ref.item}' in ${ref.topic}`);
      return i.fields.get(ref.field)!;
    }
    if (!ref.org) return t.fields.get(ref.field)!;
    const e = this.cell(ref.topic, ref.org).find((x) => x.id === ref.entry);
    if (!e) throw new OtError('not_found', `there is no entry '${ref.entry}' in ${ref.topic}/${ref.org}`);
    return e.fields.get(ref.field)!;
  }

  /** Checks the change fits the picture, then applies it; on any error nothing changed. */
  apply(c: Change, rev: number): void {
    switch (c.kind) {
      case 'text': {
        const def = this.definition(c.target);
        if (def.kind !== 'text') throw new OtError('wrong_kind', `'${c.target.field}' is a ${def.kind} field`);
        const fv = this.field(c.target);
        const op = TextOperation.fromJSON(c.ops, 'ops');
        if (op.baseLength !== fv.text.length)
          throw new OtError('out_of_range', `the operation covers ${op.baseLength} characters but the field has ${fv.text.length}`);
        if (cutsSurrogatePair(op, fv.text)) throw new OtError('out_of_range', 'the operation cuts a character in two');
        fv.text = op.apply(fv.text);
        return;
      }
      case 'set': {
        const def = this.definition(c.target);
        if (!isRegister(def)) throw new OtError('wrong_kind', `'${c.target.field}' is a text field`);
        if (c.value !== '') {
          if (def.kind === 'choice' && !(def.choices ?? []).includes(c.value))
            throw new OtError('bad_value', `'${c.value}' is not one of the choices for '${def.id}'`);
          if (def.kind === 'date' && !isCalendarDay(c.value))
            throw new OtError('bad_value', `'${c.value}' is not a day written YYYY-MM-DD`);
          if (def.kind === 'organisation' && !this.organisations.includes(c.value))
            throw new OtError('bad_value', `'${c.value}' is not one of the group's organisations`);
        }
        const fv = this.field(c.target);
        fv.choice = c.value;
        fv.rev = rev;
        return;
      }
      case 'add_entry': {
        const cl = this.cell(c.topic, c.org);
        if (cl.some((e) => e.id === c.entry)) throw new OtError('duplicate_entry', `entry '${c.entry}' already exists`);
        if (this.retired.has(entryKey(c.topic, c.org, c.entry)))
          throw new OtError('duplicate_entry', `entry id '${c.entry}' was used before and removed`);
        cl.push({ id: c.entry, fields: emptyFields(this.template.entry_fields) });
        return;
      }
      case 'remove_entry': {
        const cl = this.cell(c.topic, c.org);
        const i = cl.findIndex((e) => e.id === c.entry);
        if (i < 0) throw new OtError('not_found', `there is no entry '${c.entry}' in ${c.topic}/${c.org}`);
        cl.splice(i, 1);
        this.retired.add(entryKey(c.topic, c.org, c.entry));
        return;
      }
      case 'add_item': {
        if (!this.template.decision_item_fields) throw new OtError('not_found', 'the template has no decision items');
        const items = this.items(c.topic);
        if (items.some((i) => i.id === c.item)) throw new OtError('duplicate_entry', `decision item '${c.item}' already exists`);
        if (this.retiredItems.has(itemKey(c.topic, c.item)))
          throw new OtError('duplicate_entry', `decision item id '${c.item}' was used before and removed`);
        items.push({ id: c.item, fields: emptyFields(this.itemFields()) });
        return;
      }
      case 'secrecy': {
        const e = this.cell(c.topic, c.org).find((x) => x.id === c.entry);
        if (!e) throw new OtError('not_found', `there is no entry '${c.entry}' in ${c.topic}/${c.org}`);
        e.secrecy = { osl: c.osl, rev };
        return;
      }
      case 'acknowledge':
        // Not part of the picture: the replica's privacy review keeps it.
        return;
      case 'current_topic':
        // Not part of the picture: the replica keeps it (ClientReplica.currentTopic).
        return;
      case 'remove_item': {
        const items = this.items(c.topic);
        const i = items.findIndex((x) => x.id === c.item);
        if (i < 0) throw new OtError('not_found', `there is no decision item '${c.item}' in ${c.topic}`);
        items.splice(i, 1);
        this.retiredItems.add(itemKey(c.topic, c.item));
        return;
      }
    }
  }

  /** Reads the `state` of a welcome (see docs/protocol.md). */
  static fromJSON(template: MeetingTemplate, organisations: string[], j: unknown): MeetingDoc {
    const doc = new MeetingDoc(template, organisations);
    type FieldsJSON = { id: string; fields: Record<string, unknown>; secrecy?: { osl?: string; rev?: number } };
    const state = j as {
      topics: (FieldsJSON & { cells: Record<string, { entries: FieldsJSON[] }>; items?: FieldsJSON[] })[];
      retired?: string[];
      retired_items?: string[];
    };
    const readFields = (target: Map<string, FieldValue>, defs: FieldDef[], src: Record<string, unknown>) => {
      for (const d of defs) {
        if (!(d.id in src)) continue;
        const v = src[d.id];
        const fv = target.get(d.id)!;
        if (!isRegister(d)) fv.text = String(v ?? '');
        else {
          const cv = v as { value?: string; rev?: number } | null;
          fv.choice = cv?.value ?? '';
          fv.rev = cv?.rev ?? 0;
        }
      }
    };
    for (const tj of state.topics ?? []) {
      const ts = doc.topics.get(tj.id);
      if (!ts) throw new OtError('bad_snapshot', `unknown topic '${tj.id}'`);
      readFields(ts.fields, template.topic_fields, tj.fields ?? {});
      for (const [org, cj] of Object.entries(tj.cells ?? {})) {
        const cl = ts.cells.get(org);
        if (!cl) throw new OtError('bad_snapshot', `unknown organisation '${org}'`);
        for (const ej of cj.entries ?? []) {
          const e: Entry = { id: ej.id, fields: emptyFields(template.entry_fields) };
          readFields(e.fields, template.entry_fields, ej.fields ?? {});
          if (ej.secrecy) e.secrecy = { osl: String(ej.secrecy.osl ?? ''), rev: Number(ej.secrecy.rev ?? 0) };
          cl.push(e);
        }
      }
      for (const ij of tj.items ?? []) {
        const item: Item = { id: ij.id, fields: emptyFields(doc.itemFields()) };
        readFields(item.fields, doc.itemFields(), ij.fields ?? {});
        ts.items.push(item);
      }
    }
    for (const k of state.retired ?? []) doc.retired.add(k);
    for (const k of state.retired_items ?? []) doc.retiredItems.add(k);
    return doc;
  }
}
