// The JSON body of Converse on the wire differs from the SDK's in-memory shape in one way: blobs
// (image, document, video and audio bytes, redacted reasoning) are base64 strings on the wire and
// Uint8Arrays in memory. These two functions convert between the shapes.

const blobParents = new Set(['source', 'reasoningContent']);
const blobKeys = new Set(['bytes', 'redactedContent']);

/** Parses a request body and turns its base64 blobs into Uint8Arrays. */
export function parseWireJson(text: string): unknown {
  return JSON.parse(text, (_key, value) => {
    if (typeof value === 'object' && value !== null) {
      for (const parent of blobParents) {
        const holder = (value as Record<string, unknown>)[parent];
        if (holder && typeof holder === 'object') {
          for (const blob of blobKeys) {
            const encoded = (holder as Record<string, unknown>)[blob];
            if (typeof encoded === 'string') {
              (holder as Record<string, unknown>)[blob] = new Uint8Array(
                Buffer.from(encoded, 'base64'),
              );
            }
          }
        }
      }
    }
    return value;
  });
}

/** Serialises a response, writing Uint8Arrays as base64. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item instanceof Uint8Array ? Buffer.from(item).toString('base64') : item,
  );
}
