/**
 * Writes an OTLP/protobuf ExportTraceServiceRequest straight from outbox records: the same spans
 * as the SDK would serialize from ReadableSpans (readable-span.ts says what a span contains), at a
 * fraction of the cost. What repeats from run to run is encoded once and copied: each resource,
 * the scope, and per combination of their values, the span name with every attribute that is not
 * per run (app, mode, status, trigger, source, version...). For records that keep their run id
 * packed (the outbox's), every field that takes the same number of bytes in each span is copied
 * as one head and the ids, times and run id filled in; the rest is written field by field.
 *
 * Field numbers are those of opentelemetry-proto (collector/trace/v1, trace/v1, common/v1,
 * resource/v1).
 */
import { TraceFlags, type AttributeValue } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { isTraceWords, writeSpanIds, writeSpanIdsOfTrace } from '../ids.js';
import { RUN_ID_ATTRIBUTE, SPAN_ATTRIBUTES as RUN_ATTRIBUTES, spanName, spanStatus, spanTimeParts } from '../readable-span.js';
import type { ResourceCache } from '../resource.js';
import { runIdWordsOf, type SpanRecord } from '../span-record.js';
import { UUID_TEXT_LENGTH } from '../../model/uuid-words.js';
import { FIXED32, FIXED64, LEN, ProtoWriter, VARINT, lenFieldSize, varintSize, writeUnixNanos } from './proto-writer.js';

const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_RESOURCE = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_SPANS_SCOPE = 1;
const SCOPE_SPANS_SPANS = 2;
const SCOPE_NAME = 1;
const SCOPE_VERSION = 2;
const SPAN_TRACE_ID = 1;
const SPAN_SPAN_ID = 2;
const SPAN_NAME = 5;
const SPAN_KIND = 6;
const SPAN_START = 7;
const SPAN_END = 8;
const SPAN_ATTRIBUTES = 9;
const SPAN_STATUS = 15;
const SPAN_FLAGS = 16;
const STATUS_MESSAGE = 2;
const STATUS_CODE = 3;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_DOUBLE = 4;
const ANY_ARRAY = 5;
const ARRAY_VALUES = 1;

/** Span.SpanKind SPAN_KIND_INTERNAL. */
const KIND_INTERNAL = 1;
/** W3C flags, plus SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE (0x100): a root span, known not to be remote. */
const SPAN_FLAGS_VALUE = TraceFlags.SAMPLED | 0x100;
/** Apps with encoded blocks kept; past this the cache starts over. */
const MAX_CACHED_APPS = 1_000;
/** Encoded blocks kept per app: combinations of status, trigger, source, version... */
const MAX_BLOCKS_PER_APP = 16;

type SharedValue = string | number | undefined;

/** A span name with one combination of shared attribute values, and its encoding. */
interface SharedBlock {
  values: readonly SharedValue[];
  bytes: Uint8Array;
  /** Made when a span with a packed run id first uses the block. */
  head: SpanHead | null;
}

/**
 * Every field of a span that takes as many bytes in every span of a shared block (ids, name and
 * shared attributes, kind, times, run id, flags), with the per-span values left as zeros: a span
 * copies it and fills in its ids, times and run id at these offsets.
 */
interface SpanHead {
  bytes: Uint8Array;
  traceIdAt: number;
  spanIdAt: number;
  startAt: number;
  endAt: number;
  runIdAt: number;
}

const SHARED_ATTRIBUTES = RUN_ATTRIBUTES.filter((a) => !a.perRun);
const PER_RUN_ATTRIBUTES = RUN_ATTRIBUTES.filter((a) => a.perRun);
/** Where the run id is among PER_RUN_ATTRIBUTES. */
const RUN_ID_AT = PER_RUN_ATTRIBUTES.findIndex((a) => a.key === RUN_ID_ATTRIBUTE);

/** A value an int64 field can carry exactly; other numbers go out as doubles (as the SDK does for fractions). */
const isInt64 = (value: number): boolean => Number.isSafeInteger(value);

/** An AnyValue message (the value of a KeyValue), for values the span fast path does not write itself. */
function writeAnyValue(w: ProtoWriter, value: AttributeValue): void {
  if (typeof value === 'string') w.stringField(ANY_STRING, value);
  else if (typeof value === 'boolean') {
    w.tag(ANY_BOOL, VARINT);
    w.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (isInt64(value)) {
      w.tag(ANY_INT, VARINT);
      w.int64(value);
    } else {
      w.tag(ANY_DOUBLE, FIXED64);
      w.double(value);
    }
  } else if (Array.isArray(value)) {
    const array = new ProtoWriter(256);
    for (const item of value) {
      const one = new ProtoWriter(64);
      if (item !== null && item !== undefined) writeAnyValue(one, item);
      array.lenField(ARRAY_VALUES, one.view());
    }
    w.lenField(ANY_ARRAY, array.view());
  }
}

/** A KeyValue message, on its own. */
function keyValueBytes(key: string, value: AttributeValue): Uint8Array {
  const anyValue = new ProtoWriter(256);
  writeAnyValue(anyValue, value);
  const kv = new ProtoWriter(256);
  kv.stringField(KEY_VALUE_KEY, key);
  kv.lenField(KEY_VALUE_VALUE, anyValue.view());
  return kv.toBytes();
}

/** A field holding a KeyValue (`field` is the attributes field of the enclosing message). */
function attributeFieldBytes(field: number, key: string, value: AttributeValue): Uint8Array {
  const w = new ProtoWriter(256);
  w.lenField(field, keyValueBytes(key, value));
  return w.toBytes();
}

function sameValues(a: readonly SharedValue[], b: readonly SharedValue[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An attributes field up to its AnyValue's content: tag and length of the KeyValue, its encoded
 * key, tag and length of the AnyValue (`anyValueBytes` long, written next by the caller).
 */
function writeKeyValueStart(w: ProtoWriter, keyBytes: Uint8Array, anyValueBytes: number): void {
  w.tag(SPAN_ATTRIBUTES, LEN);
  w.varint(keyBytes.length + lenFieldSize(KEY_VALUE_VALUE, anyValueBytes));
  w.bytes(keyBytes);
  w.tag(KEY_VALUE_VALUE, LEN);
  w.varint(anyValueBytes);
}

function writeTime(w: ProtoWriter, field: number, seconds: number, nanos: number): void {
  w.tag(field, FIXED64);
  writeUnixNanos(w, seconds, nanos);
}

/** Bytes kept for the length of a span (up to 16 KB) and of a batch's groups (up to 2 MB); more or fewer moves the bytes. */
const SPAN_LENGTH_BYTES = 2;
const GROUP_LENGTH_BYTES = 3;
/**
 * Request bodies' memory kept for reuse: this many (exports in flight are 2 by default), each up
 * to MAX_POOLED_BYTES (a default batch of 1,024 spans takes ~650 KB), sizes rounded up to a power of
 * two from MIN_POOLED_BYTES. Larger bodies are left to the garbage collector.
 */
const MAX_SPARE_BODIES = 3;
const MAX_POOLED_BYTES = 1024 * 1024;
const MIN_POOLED_BYTES = 64 * 1024;

export class TraceRequestEncoder {
  private readonly out = new ProtoWriter();
  /** Memory of bodies given back (release), for the next bodies; and the memory of bodies handed out. */
  private readonly spareBodies: ArrayBuffer[] = [];
  private readonly lentBodies = new WeakSet<ArrayBuffer>();
  private readonly scopeBytes: Uint8Array;
  private readonly traceId = new Uint8Array(16);
  private readonly spanId = new Uint8Array(8);
  private readonly times = new Float64Array(6);
  private readonly resourceBytes = new WeakMap<Resource, Uint8Array>();
  private lastResource: Resource | null = null;
  private lastService = '';
  private lastServiceVersion: string | null = null;
  /** Per app (the span name is made from it): encoded name-and-shared-attributes blocks, the most used first. */
  private readonly sharedBlocks = new Map<string, SharedBlock[]>();
  private readonly sharedValues: SharedValue[] = new Array<SharedValue>(SHARED_ATTRIBUTES.length);
  /** Per entry of PER_RUN_ATTRIBUTES, by varint size of an integer value: the field up to the value (intPrefix). */
  private readonly intPrefixes: (Uint8Array | undefined)[][] = PER_RUN_ATTRIBUTES.map(() => []);
  /** Per entry of PER_RUN_ATTRIBUTES: its encoded KeyValue.key field. */
  private readonly perRunKeys: readonly Uint8Array[] = PER_RUN_ATTRIBUTES.map((a) => {
    const w = new ProtoWriter(128);
    w.stringField(KEY_VALUE_KEY, a.key);
    return w.toBytes();
  });

  constructor(
    private readonly resources: ResourceCache,
    scope: InstrumentationScope,
  ) {
    const w = new ProtoWriter(256);
    w.stringField(SCOPE_NAME, scope.name);
    if (scope.version !== undefined) w.stringField(SCOPE_VERSION, scope.version);
    this.scopeBytes = w.toBytes();
  }

  /**
   * The request body for one batch, in memory of its own until it is given back with release()
   * (the exporter may send it again meanwhile).
   */
  encode(batch: readonly SpanRecord[]): Uint8Array {
    this.out.reset();
    // Usually every span of a batch has the same resource (one service.name for all targets):
    // then the batch is the one group, with no grouping to do.
    const first = batch.length > 0 ? this.resourceOf(batch[0]!) : null;
    let oneResource = true;
    for (let i = 1; i < batch.length && oneResource; i++) oneResource = this.resourceOf(batch[i]!) === first;
    if (oneResource) {
      if (first !== null) this.writeGroup(first, batch);
    } else {
      const groups = new Map<Resource, SpanRecord[]>();
      for (const r of batch) {
        const resource = this.resourceOf(r);
        const group = groups.get(resource);
        if (group === undefined) groups.set(resource, [r]);
        else group.push(r);
      }
      for (const [resource, records] of groups) this.writeGroup(resource, records);
    }
    return this.body(this.out);
  }

  /** The resource of a record's span; the last one found is kept, as the next record usually shares it. */
  private resourceOf(r: SpanRecord): Resource {
    if (r.service !== this.lastService || r.serviceVersion !== this.lastServiceVersion || this.lastResource === null) {
      this.lastResource = this.resources.get(r.service, r.serviceVersion);
      this.lastService = r.service;
      this.lastServiceVersion = r.serviceVersion;
    }
    return this.lastResource;
  }

  /** One ResourceSpans message: the resource, the scope and the spans of `records`. */
  private writeGroup(resource: Resource, records: readonly SpanRecord[]): void {
    const out = this.out;
    const resourceSpans = out.beginLen(REQUEST_RESOURCE_SPANS, GROUP_LENGTH_BYTES);
    out.lenField(RESOURCE_SPANS_RESOURCE, this.resourceFor(resource));
    const scopeSpans = out.beginLen(RESOURCE_SPANS_SCOPE_SPANS, GROUP_LENGTH_BYTES);
    out.lenField(SCOPE_SPANS_SCOPE, this.scopeBytes);
    for (const r of records) {
      const span = out.beginLen(SCOPE_SPANS_SPANS, SPAN_LENGTH_BYTES);
      this.writeSpan(out, r);
      out.endLen(span, SPAN_LENGTH_BYTES);
    }
    out.endLen(scopeSpans, GROUP_LENGTH_BYTES);
    out.endLen(resourceSpans, GROUP_LENGTH_BYTES);
  }

  /**
   * Gives back a body from encode() once no one reads it any more (its export succeeded), so the
   * next body is written into memory already in use instead of new memory. Other arrays, and a
   * body given back twice, are ignored.
   */
  release(body: Uint8Array): void {
    const memory = body.buffer as ArrayBuffer;
    if (!this.lentBodies.has(memory)) return;
    this.lentBodies.delete(memory);
    const spare = this.spareBodies;
    if (spare.length >= MAX_SPARE_BODIES) {
      // Keep the larger ones: a body fits in any spare at least its size.
      let smallest = 0;
      for (let i = 1; i < spare.length; i++) if (spare[i]!.byteLength < spare[smallest]!.byteLength) smallest = i;
      if (spare[smallest]!.byteLength >= memory.byteLength) return;
      spare.splice(smallest, 1);
    }
    spare.push(memory);
  }

  /** A copy of what `w` holds, in spare memory when some fits. */
  private body(w: ProtoWriter): Uint8Array {
    const n = w.length;
    let memory: ArrayBuffer | undefined;
    const spare = this.spareBodies;
    for (let i = 0; i < spare.length; i++) {
      if (spare[i]!.byteLength >= n) {
        memory = spare[i]!;
        spare.splice(i, 1);
        break;
      }
    }
    if (memory === undefined) {
      // Rounded up, so batches of varying size reuse each other's memory.
      let size = MIN_POOLED_BYTES;
      while (size < n) size *= 2;
      if (size > MAX_POOLED_BYTES) size = n;
      memory = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    }
    if (memory.byteLength <= MAX_POOLED_BYTES) this.lentBodies.add(memory);
    const body = Buffer.from(memory, 0, n);
    w.copyTo(body);
    return body;
  }

  private writeSpan(w: ProtoWriter, r: SpanRecord): void {
    const block = this.sharedBlock(r);
    const t = this.times;
    spanTimeParts(r, t);
    // A record with its run id packed (the outbox's) copies the head of its block and fills it in.
    const runIdWords = runIdWordsOf(r);
    if (runIdWords !== null && isTraceWords(runIdWords)) {
      const head = (block.head ??= this.spanHead(block.bytes));
      const at = w.put(head.bytes);
      writeSpanIdsOfTrace(runIdWords, this.traceId, this.spanId);
      w.bytesAt(at + head.traceIdAt, this.traceId);
      w.bytesAt(at + head.spanIdAt, this.spanId);
      w.unixNanosAt(at + head.startAt, t[0] as number, t[1] as number);
      w.unixNanosAt(at + head.endAt, t[2] as number, t[3] as number);
      w.uuidTextAt(at + head.runIdAt, runIdWords, 0);
    } else {
      writeSpanIds(r.runId, this.traceId, this.spanId);
      w.lenField(SPAN_TRACE_ID, this.traceId);
      w.lenField(SPAN_SPAN_ID, this.spanId);
      w.bytes(block.bytes);
      w.tag(SPAN_KIND, VARINT);
      w.varint(KIND_INTERNAL);
      writeTime(w, SPAN_START, t[0] as number, t[1] as number);
      writeTime(w, SPAN_END, t[2] as number, t[3] as number);
      this.writeAttribute(w, RUN_ID_AT, r.runId);
      w.tag(SPAN_FLAGS, FIXED32);
      w.fixed32(SPAN_FLAGS_VALUE);
    }
    for (let i = 0; i < PER_RUN_ATTRIBUTES.length; i++) {
      if (i === RUN_ID_AT) continue;
      const attribute = PER_RUN_ATTRIBUTES[i]!;
      const value = attribute.value(r);
      if (value !== undefined) this.writeAttribute(w, i, value);
    }
    const status = spanStatus(r);
    if (status.code !== 0) {
      const message = status.message ?? '';
      const messageBytes = Buffer.byteLength(message, 'utf8');
      w.tag(SPAN_STATUS, LEN);
      w.varint((messageBytes > 0 ? lenFieldSize(STATUS_MESSAGE, messageBytes) : 0) + 1 + varintSize(status.code));
      if (messageBytes > 0) w.stringField(STATUS_MESSAGE, message);
      w.tag(STATUS_CODE, VARINT);
      w.varint(status.code);
    }
  }

  /** The head of spans of a shared block (see SpanHead), written as writeSpan's other branch writes it. */
  private spanHead(shared: Uint8Array): SpanHead {
    const w = new ProtoWriter(shared.length + 256);
    w.lenField(SPAN_TRACE_ID, this.traceId.fill(0));
    const traceIdAt = w.length - this.traceId.length;
    w.lenField(SPAN_SPAN_ID, this.spanId.fill(0));
    const spanIdAt = w.length - this.spanId.length;
    w.bytes(shared);
    w.tag(SPAN_KIND, VARINT);
    w.varint(KIND_INTERNAL);
    w.tag(SPAN_START, FIXED64);
    const startAt = w.length;
    w.fixed64(0, 0);
    w.tag(SPAN_END, FIXED64);
    const endAt = w.length;
    w.fixed64(0, 0);
    this.writeAttribute(w, RUN_ID_AT, '0'.repeat(UUID_TEXT_LENGTH));
    const runIdAt = w.length - UUID_TEXT_LENGTH;
    w.tag(SPAN_FLAGS, FIXED32);
    w.fixed32(SPAN_FLAGS_VALUE);
    return { bytes: w.toBytes(), traceIdAt, spanIdAt, startAt, endAt, runIdAt };
  }

  /** The attributes field of entry `i` of PER_RUN_ATTRIBUTES with this value. */
  private writeAttribute(w: ProtoWriter, i: number, value: string | number): void {
    if (typeof value === 'string') {
      writeKeyValueStart(w, this.perRunKeys[i]!, lenFieldSize(ANY_STRING, Buffer.byteLength(value, 'utf8')));
      w.stringField(ANY_STRING, value);
    } else if (isInt64(value) && value >= 0) {
      w.bytes(this.intPrefix(i, varintSize(value)));
      w.varint(value);
    } else {
      w.lenField(SPAN_ATTRIBUTES, keyValueBytes(PER_RUN_ATTRIBUTES[i]!.key, value));
    }
  }

  /** The attributes field of entry `i` of PER_RUN_ATTRIBUTES up to an integer value of `size` varint bytes. */
  private intPrefix(i: number, size: number): Uint8Array {
    const prefixes = this.intPrefixes[i]!;
    let prefix = prefixes[size];
    if (prefix === undefined) {
      const w = new ProtoWriter(256);
      writeKeyValueStart(w, this.perRunKeys[i]!, 1 + size);
      w.tag(ANY_INT, VARINT);
      prefix = w.toBytes();
      prefixes[size] = prefix;
    }
    return prefix;
  }

  /**
   * The span's name field and its shared attributes fields, encoded once per combination of values
   * and found again by comparing values (no key to build and hash per span).
   */
  private sharedBlock(r: SpanRecord): SharedBlock {
    const values = this.sharedValues;
    for (let i = 0; i < SHARED_ATTRIBUTES.length; i++) values[i] = SHARED_ATTRIBUTES[i]!.value(r);
    let blocks = this.sharedBlocks.get(r.app);
    if (blocks === undefined) {
      if (this.sharedBlocks.size >= MAX_CACHED_APPS) this.sharedBlocks.clear();
      blocks = [];
      this.sharedBlocks.set(r.app, blocks);
    }
    for (let j = 0; j < blocks.length; j++) {
      const block = blocks[j]!;
      if (!sameValues(block.values, values)) continue;
      if (j > 0) {
        // Move a hit one place forward: the common combinations end up first.
        blocks[j] = blocks[j - 1]!;
        blocks[j - 1] = block;
      }
      return block;
    }
    const w = new ProtoWriter(1024);
    w.stringField(SPAN_NAME, spanName(r));
    for (let i = 0; i < SHARED_ATTRIBUTES.length; i++) {
      const value = values[i];
      if (value !== undefined) w.lenField(SPAN_ATTRIBUTES, keyValueBytes(SHARED_ATTRIBUTES[i]!.key, value));
    }
    const block: SharedBlock = { values: [...values], bytes: w.toBytes(), head: null };
    if (blocks.length >= MAX_BLOCKS_PER_APP) blocks.pop();
    blocks.push(block);
    return block;
  }

  /** The Resource message of a resource (its attributes; dropped_attributes_count stays 0). */
  private resourceFor(resource: Resource): Uint8Array {
    let bytes = this.resourceBytes.get(resource);
    if (bytes === undefined) {
      const w = new ProtoWriter(1024);
      for (const [key, value] of Object.entries(resource.attributes)) {
        if (value !== undefined) w.bytes(attributeFieldBytes(RESOURCE_ATTRIBUTES, key, value));
      }
      bytes = w.toBytes();
      this.resourceBytes.set(resource, bytes);
    }
    return bytes;
  }
}
