import type { ConverseStreamEvent } from '@bedrock-converse/runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { toWireJson } from './wire-json.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The in-stream exception members of ConverseStream (camelCase, as Bedrock sends them). */
export const streamExceptionMembers = {
  InternalServerException: 'internalServerException',
  ModelStreamErrorException: 'modelStreamErrorException',
  ValidationException: 'validationException',
  ThrottlingException: 'throttlingException',
  ServiceUnavailableException: 'serviceUnavailableException',
} as const;
export type StreamExceptionName = keyof typeof streamExceptionMembers;

/** One event frame: `:event-type` is the union member name, the payload its JSON plus padding. */
export function encodeEvent(event: ConverseStreamEvent): Uint8Array {
  const [type, payload] = Object.entries(event)[0] ?? ['unknown', {}];
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(toWireJson({ ...(payload as object), p: padding() })),
  });
}

/** One exception frame, e.g. `throttlingException` with `{ message }`. */
export function encodeException(name: StreamExceptionName, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: streamExceptionMembers[name] },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

export function isStreamExceptionName(name: string): name is StreamExceptionName {
  return Object.hasOwn(streamExceptionMembers, name);
}

/** Bedrock pads every event with a random-length `p` field; clients must ignore it. */
function padding(): string {
  return 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123'.slice(
    0,
    1 + Math.floor(Math.random() * 40),
  );
}
