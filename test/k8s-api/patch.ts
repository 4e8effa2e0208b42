// The patch types the API server accepts: JSON merge patch (RFC 7386), strategic merge patch (the subset
// kubectl and helm produce: merge keys on the usual lists, $patch, $setElementOrder, $retainKeys,
// $deleteFromPrimitiveList) and JSON patch (RFC 6902).
type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The merge key of a list field, as in k8s.io/api's patchMergeKey tags (the lists these charts use). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};
const SET_LISTS = new Set(['finalizers']);

function strategicList(field: string, target: Json[], patch: Json[], order?: Json[]): Json[] {
  const key = MERGE_KEYS[field];
  if (!key) {
    if (SET_LISTS.has(field)) return [...new Set([...target, ...patch].map((v) => JSON.stringify(v)))].map((s) => JSON.parse(s) as Json);
    if (patch.length === 1 && isObj(patch[0]) && patch[0].$patch === 'replace') return [];
    return clone(patch);
  }
  const out = target.map((t) => clone(t));
  for (const p of patch) {
    if (!isObj(p)) continue;
    if (p.$patch === 'replace') return patch.filter((x) => !(isObj(x) && x.$patch)).map(clone);
    const i = out.findIndex((t) => isObj(t) && t[key] === p[key]);
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMerge(out[i], p);
    else out.push(strategicMerge({}, p));
  }
  if (order) {
    const rank = new Map(order.map((o, i) => [isObj(o) ? o[key] : o, i]));
    out.sort((a, b) => (rank.get(isObj(a) ? a[key] : a) ?? 1e9) - (rank.get(isObj(b) ? b[key] : b) ?? 1e9));
  }
  return out;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  let out: Obj = isObj(target) ? { ...target } : {};
  const retain = patch.$retainKeys as string[] | undefined;
  if (retain) out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f])) out[f] = (out[f] as Json[]).filter((x) => !(v as Json[]).includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = strategicList(k, Array.isArray(out[k]) ? (out[k] as Json[]) : [], v, patch[`$setElementOrder/${k}`] as Json[] | undefined);
    else if (isObj(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  return out;
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function jsonPatch(doc: Json, ops: { op: string; path: string; value?: Json; from?: string }[]): Json {
  let root = clone(doc);
  const parts = (p: string) => (p === '' ? [] : p.split('/').slice(1).map(unescape));
  const get = (p: string): Json => parts(p).reduce<Json>((o, k) => (o as Obj | undefined)?.[k], root);
  const set = (p: string, value: Json, insert: boolean) => {
    const ps = parts(p);
    if (ps.length === 0) {
      root = value;
      return;
    }
    const parent = ps.slice(0, -1).reduce<Json>((o, k) => (o as Obj)[k], root) as Obj | Json[];
    const last = ps.at(-1)!;
    if (parent === undefined || parent === null) throw new Error(`path ${p} does not exist`);
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (insert) parent.splice(i, 0, value);
      else parent[i] = value;
    } else parent[last] = value;
  };
  const remove = (p: string) => {
    const ps = parts(p);
    const parent = ps.slice(0, -1).reduce<Json>((o, k) => (o as Obj)[k], root) as Obj | Json[];
    const last = ps.at(-1)!;
    if (parent === undefined || (!Array.isArray(parent) && !(last in parent))) throw new Error(`path ${p} does not exist`);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  };
  for (const op of ops) {
    if (op.op === 'add') set(op.path, clone(op.value), true);
    else if (op.op === 'replace') {
      if (get(op.path) === undefined) throw new Error(`path ${op.path} does not exist`);
      set(op.path, clone(op.value), false);
    } else if (op.op === 'remove') remove(op.path);
    else if (op.op === 'test') {
      if (JSON.stringify(get(op.path)) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
    } else if (op.op === 'move' || op.op === 'copy') {
      const v = clone(get(op.from!));
      if (op.op === 'move') remove(op.from!);
      set(op.path, v, true);
    } else throw new Error(`unknown op ${op.op}`);
  }
  return root;
}
