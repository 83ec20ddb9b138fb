/** A response before it is written, and Dify's error bodies. */
export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
  contentType?: string;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  const reply: Reply = { status, body: JSON.stringify(value) };
  if (headers) reply.headers = headers;
  return reply;
}

/** Dify's error body: `{"code","message","status"}`. */
export function difyError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return json(status, { code, message, status }, headers);
}

export const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer realm="api"' };

export function unauthorized(message: string): Reply {
  return difyError(401, 'unauthorized', message, UNAUTHORIZED_HEADERS);
}

export function notFound(): Reply {
  return difyError(
    404,
    'not_found',
    'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  );
}

export function notWorkflowApp(): Reply {
  return difyError(400, 'not_workflow_app', 'Please check if your app mode matches the right API route.');
}
