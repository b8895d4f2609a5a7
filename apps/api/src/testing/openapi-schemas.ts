import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { ApiClient } from './http-client';

/** What the published OpenAPI document says an operation answers, as validators an e2e holds real answers to. */
export interface PublishedSchemas {
  readonly document: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: Record<string, unknown> };
  /** The schema of `status`'s `application/json` body, its $refs resolved against the document's components; throws when there is none. */
  schemaOf(path: string, method: string, status: string): (body: unknown) => boolean;
  /** Undefined when the body matches; otherwise what ajv says is wrong, with where. */
  mismatch(path: string, method: string, status: string, body: unknown): string | undefined;
}

export async function publishedSchemas(server: ApiClient): Promise<PublishedSchemas> {
  const document = (await server.request('GET', '/docs-json')).body as PublishedSchemas['document'];
  const ajv = new Ajv({ strict: false, allErrors: true });
  // The document's `format`s (date-time, uuid, …) are claims about the answers: checked too.
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: document.components });
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  const compile = (path: string, method: string, status: string) => {
    const key = `${method} ${path} ${status}`;
    let check = compiled.get(key);
    if (!check) {
      const response = document.paths[path]?.[method]?.responses[status] as { content?: Record<string, { schema?: object }> } | undefined;
      const schema = response?.content?.['application/json']?.schema;
      if (schema === undefined) throw new Error(`the document gives no application/json schema for ${method.toUpperCase()} ${path} ${status}`);
      check = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')));
      compiled.set(key, check);
    }
    return check;
  };
  return {
    document,
    schemaOf: (path, method, status) => {
      const check = compile(path, method, status);
      return (body) => check(body) as boolean;
    },
    mismatch: (path, method, status, body) => {
      const check = compile(path, method, status);
      return check(body) ? undefined : ajv.errorsText(check.errors);
    },
  };
}
