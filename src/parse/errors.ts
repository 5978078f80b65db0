/** Thrown by every parser in src/parse when a reply does not have the shape its command promises. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
}
