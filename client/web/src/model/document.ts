// The situation picture (lägesbild) of one meeting as the server confirmed it: topics × organisations,
// each cell a list of entries, each topic with the chair's fields. Mirrors shared/src/meeting_document.cpp
// (without the size limits: a replica accepts whatever the server accepted).
import { OtError, TextOperation, splitsSurrogatePair } from '../ot/text-operation';
import type { Change, FieldDef, FieldRef, MeetingTemplate } from './types';
import { entryKey } from './types';

export interface FieldValue {
  text: string; // text fields
  choice: string; // choice fields ("" when unset)
  rev: number; // revision of the last set (choice fields)
}

export interface Entry {
  id: string;
  fields: Map<string, FieldValue>;
}

export interface TopicState {
  fields: Map<string, FieldValue>;
  cells: Map<string, Entry[]>; // by organisation id
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

  constructor(
    readonly template: MeetingTemplate,
    readonly organisations: string[],
  ) {
    for (const t of template.topics) {
      const cells = new Map<string, Entry[]>();
      for (const o of organisations) cells.set(o, []);
      this.topics.set(t.id, { fields: emptyFields(template.topic_fields), cells });
    }
  }

  definition(ref: FieldRef): FieldDef {
    const defs = ref.org ? this.template.entry_fields : this.template.topic_fields;
    const d = defs.find((f) => f.id === ref.field);
    if (!d) throw new OtError('not_found', `the template has no ${ref.org ? 'entry' : 'topic'} field '${ref.field}'`);
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

  /** Throws OtError('not_found') when the field does not exist. */
  field(ref: FieldRef): FieldValue {
    this.definition(ref);
    const t = this.topic(ref.topic);
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
        if (def.kind !== 'text') throw new OtError('wrong_kind', `'${c.target.field}' is a choice field`);
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
        if (def.kind !== 'choice') throw new OtError('wrong_kind', `'${c.target.field}' is a text field`);
        if (c.value !== '' && !(def.choices ?? []).includes(c.value))
          throw new OtError('bad_value', `'${c.value}' is not one of the choices for '${def.id}'`);
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
    }
  }

  /** Reads the `state` of a welcome (see docs/protocol.md). */
  static fromJSON(template: MeetingTemplate, organisations: string[], j: unknown): MeetingDoc {
    const doc = new MeetingDoc(template, organisations);
    const state = j as {
      topics: { id: string; fields: Record<string, unknown>; cells: Record<string, { entries: { id: string; fields: Record<string, unknown> }[] }> }[];
      retired?: string[];
    };
    const readFields = (target: Map<string, FieldValue>, defs: FieldDef[], src: Record<string, unknown>) => {
      for (const d of defs) {
        if (!(d.id in src)) continue;
        const v = src[d.id];
        const fv = target.get(d.id)!;
        if (d.kind === 'text') fv.text = String(v ?? '');
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
          cl.push(e);
        }
      }
    }
    for (const k of state.retired ?? []) doc.retired.add(k);
    return doc;
  }
}
