/**
 * An error meant for the client: its status, a stable machine-readable code and a message
 * that is safe to show. Anything else thrown in a route becomes a 500 with a generic message.
 */
export class HttpError extends Error {
  readonly expose = true;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (parameter: string, message: string) =>
  new HttpError(400, 'invalid_parameter', `${parameter}: ${message}`);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
