import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import { ValidationException } from '@bedrock-converse/runtime';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';

/** Bedrock's limits for images and documents (CONVERSE-WIRE §3). */
export const mediaLimits = {
  /** 5 MB once base64-encoded, as the service measures it: 3.75 MB of raw bytes. */
  imageBytes: Math.floor((5 * 1024 * 1024 * 3) / 4),
  imagePixels: 8000,
  imagesPerRequest: 20,
  documentBytes: 4.5 * 1024 * 1024,
  documentsPerRequest: 5,
} as const;

const imageTypes: Record<string, string> = { png: 'png', jpg: 'jpeg', gif: 'gif', webp: 'webp' };
const documentFormats = new Set(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']);
/** Letters, digits, single spaces, hyphens, parentheses and square brackets; 1–200 characters. */
const documentName = /^(?=.{1,200}$)[A-Za-z0-9\-()[\]]+(?: [A-Za-z0-9\-()[\]]+)*$/;

const place = (message: number, block: number) => `message ${message}, block ${block}`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/**
 * Checks the images and documents of a request the way the service will, before it is sent: the
 * bytes really are the declared format (read from their magic bytes), sizes as the service
 * measures them, pixel and count limits, document names, and that media are in user messages.
 * A ValidationException says which message and block, and what to do.
 *
 * With `fresh`, the bytes are read only for those blocks (the new message's): images already in
 * the history were read when they were added, so a turn does not read them again. Counts, roles
 * and documents are always checked over the whole request (no bytes are read for them).
 */
export async function checkMedia(
  messages: readonly Message[],
  fresh?: ReadonlySet<ContentBlock>,
): Promise<void> {
  let images = 0;
  let documents = 0;
  // Plain loops, and a block's place spelled out only for an error: this runs over the whole
  // request on every turn.
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const content = message.content ?? [];
    for (let j = 0; j < content.length; j++) {
      const block = content[j]!;
      if (block.image) {
        images += 1;
        if (message.role !== 'user') {
          throw new ValidationException(
            `Images go in user messages only (${place(i, j)} is ${message.role}).`,
          );
        }
        if (!fresh || fresh.has(block)) await checkImage(block.image, place(i, j));
      } else if (block.document) {
        documents += 1;
        if (message.role !== 'user') {
          throw new ValidationException(`Documents go in user messages only (${place(i, j)}).`);
        }
        checkDocument(block.document, content, place(i, j));
      }
    }
  }
  if (images > mediaLimits.imagesPerRequest) {
    throw new ValidationException(
      `The request carries ${images} images; Bedrock takes at most ${mediaLimits.imagesPerRequest} per request. Send fewer, or over several turns.`,
    );
  }
  if (documents > mediaLimits.documentsPerRequest) {
    throw new ValidationException(
      `The request carries ${documents} documents; Bedrock takes at most ${mediaLimits.documentsPerRequest} per request.`,
    );
  }
}

async function checkImage(image: NonNullable<ContentBlock['image']>, where: string) {
  const declared = image.format;
  if (!declared || !Object.values(imageTypes).includes(declared)) {
    throw new ValidationException(
      `The image in ${where} has format ${JSON.stringify(declared)}; Bedrock takes png, jpeg, gif or webp.`,
    );
  }
  const bytes = image.source?.bytes;
  if (!bytes) return; // An S3 location: the service reads it itself.
  if (bytes.length === 0) throw new ValidationException(`The image in ${where} is empty.`);
  const detected = await fileTypeFromBuffer(bytes);
  const actual = detected ? imageTypes[detected.ext] : undefined;
  if (actual !== declared) {
    throw new ValidationException(
      `The image in ${where} was declared as ${declared}, but its bytes are ${actual ? `a ${actual} image` : detected ? `a ${detected.mime} file` : 'not an image Bedrock reads'}.${actual ? ` Declare it as "${actual}".` : ''}`,
    );
  }
  if (bytes.length > mediaLimits.imageBytes) {
    throw new ValidationException(
      `The image in ${where} is ${mb(bytes.length)}; Bedrock takes at most 3.75 MB per image (5 MB once base64-encoded). Resize or compress it.`,
    );
  }
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = imageSize(bytes));
  } catch (error) {
    throw new ValidationException(`The image in ${where} could not be read as a ${declared}.`, {
      cause: error,
    });
  }
  const limit = mediaLimits.imagePixels;
  if ((width ?? 0) > limit || (height ?? 0) > limit) {
    throw new ValidationException(
      `The image in ${where} is ${width} × ${height} pixels; Bedrock takes at most ${limit} pixels per side. Resize it.`,
    );
  }
}

function checkDocument(
  document: NonNullable<ContentBlock['document']>,
  content: readonly ContentBlock[],
  where: string,
) {
  const name = document.name ?? '';
  if (!documentName.test(name)) {
    throw new ValidationException(
      `The document name ${JSON.stringify(name)} (${where}) is not allowed: use 1 to 200 letters, digits, single spaces, "-", "()" or "[]" (no dots: the format says the type).`,
    );
  }
  if (!document.format || !documentFormats.has(document.format)) {
    throw new ValidationException(
      `The document in ${where} has format ${JSON.stringify(document.format)}; Bedrock takes ${[...documentFormats].join(', ')}.`,
    );
  }
  const bytes = document.source?.bytes;
  if (bytes && bytes.length > mediaLimits.documentBytes) {
    throw new ValidationException(
      `The document in ${where} is ${mb(bytes.length)}; Bedrock takes at most 4.5 MB per document.`,
    );
  }
  if (!content.some((block) => typeof block.text === 'string' && block.text.trim() !== '')) {
    throw new ValidationException(
      `A message with a document (${where}) must also carry text: say what to do with it.`,
    );
  }
}
