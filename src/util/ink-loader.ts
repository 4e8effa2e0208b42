// Ink's layout engine (yoga, its wasm inlined as a data: URI) instantiates through fetch() when it
// exists, which first loads Node's whole HTTP client (~15 ms). Hide fetch while an Ink module loads:
// yoga then decodes the wasm directly. The lazy global is put back untouched.
export async function importWithoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (descriptor) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    if (descriptor) Object.defineProperty(globalThis, 'fetch', descriptor);
  }
}
