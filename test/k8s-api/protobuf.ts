// Just enough of Kubernetes' protobuf wire format to read the request bodies that kubectl and helm send
// that way (client-go typed clients: Secret, Namespace, SelfSubjectAccessReview, ConfigMap). A body starts
// with the magic "k8s\0", then a runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2}; `raw` is the
// object's message. Field numbers are those of k8s.io/api (generated.proto). Unknown fields are skipped.
type Field = [name: string, kind: 'string' | 'bytes' | 'int' | 'bool' | 'map' | 'bytesmap' | Schema | 'strings'];
interface Schema {
  [n: number]: Field;
}

const OBJECT_META: Schema = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  11: ['labels', 'map'],
  12: ['annotations', 'map'],
  14: ['finalizers', 'strings'],
};
const RESOURCE_ATTRIBUTES: Schema = {
  1: ['namespace', 'string'],
  2: ['verb', 'string'],
  3: ['group', 'string'],
  4: ['version', 'string'],
  5: ['resource', 'string'],
  6: ['subresource', 'string'],
  7: ['name', 'string'],
};
const SCHEMAS: Record<string, Schema> = {
  Secret: { 1: ['metadata', OBJECT_META], 2: ['data', 'bytesmap'], 3: ['type', 'string'], 4: ['stringData', 'map'], 5: ['immutable', 'bool'] },
  ConfigMap: { 1: ['metadata', OBJECT_META], 2: ['data', 'map'], 3: ['binaryData', 'bytesmap'], 4: ['immutable', 'bool'] },
  Namespace: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['finalizers', 'strings'] }] },
  SelfSubjectAccessReview: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['resourceAttributes', RESOURCE_ATTRIBUTES], 2: ['nonResourceAttributes', { 1: ['path', 'string'], 2: ['verb', 'string'] }] }] },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }
  bytes(): Buffer {
    const n = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`protobuf: wire type ${wire} not supported`);
  }
}

/** Reads all fields as [number, wire, value]: varints as numbers, length-delimited as Buffers. */
function fields(buf: Buffer): [number, number, number | Buffer][] {
  const r = new Reader(buf);
  const out: [number, number, number | Buffer][] = [];
  while (!r.done()) {
    const tag = r.varint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) out.push([no, wire, r.varint()]);
    else if (wire === 2) out.push([no, wire, r.bytes()]);
    else r.skip(wire);
  }
  return out;
}

function mapEntry(buf: Buffer): [string, Buffer] {
  let k = '';
  let v: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  for (const [no, , val] of fields(buf)) {
    if (no === 1) k = (val as Buffer).toString('utf8');
    if (no === 2) v = val as Buffer;
  }
  return [k, v];
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [no, , val] of fields(buf)) {
    const f = schema[no];
    if (!f) continue;
    const [name, kind] = f;
    if (kind === 'string') out[name] = (val as Buffer).toString('utf8');
    else if (kind === 'bytes') out[name] = (val as Buffer).toString('base64');
    else if (kind === 'int') out[name] = val as number;
    else if (kind === 'bool') out[name] = val !== 0;
    else if (kind === 'strings') ((out[name] ??= []) as string[]).push((val as Buffer).toString('utf8'));
    else if (kind === 'map' || kind === 'bytesmap') {
      const [k, v] = mapEntry(val as Buffer);
      (out[name] ??= {} as Record<string, string>) as Record<string, string>;
      (out[name] as Record<string, string>)[k] = kind === 'map' ? v.toString('utf8') : v.toString('base64');
    } else out[name] = decodeMessage(val as Buffer, kind);
  }
  return out;
}

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf request body into the object's JSON form; throws on a kind it does not know. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('protobuf: missing k8s magic');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  for (const [no, , val] of fields(body.subarray(4))) {
    if (no === 1) {
      for (const [n2, , v2] of fields(val as Buffer)) {
        if (n2 === 1) apiVersion = (v2 as Buffer).toString('utf8');
        if (n2 === 2) kind = (v2 as Buffer).toString('utf8');
      }
    }
    if (no === 2) raw = val as Buffer;
  }
  const schema = SCHEMAS[kind];
  if (!schema) throw new Error(`protobuf: kind ${kind || '?'} not supported by this test server`);
  return { apiVersion, kind, ...decodeMessage(raw, schema) };
}
