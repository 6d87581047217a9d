import { Ajv2020 } from 'ajv/dist/2020.js';

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: Record<string, unknown>;
}
interface Response {
  content?: Record<string, { schema: object }>;
}

/** Checks answers against the schemas the server's own OpenAPI document gives them. */
export interface AnswerCheck {
  /** Why `body` is not what the document says `method path` answers with `status`; '' if it is. */
  (method: string, path: string, status: number, body: unknown): string;
}

export async function answerCheck(baseUrl: string): Promise<AnswerCheck> {
  const document = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', { validate: (text: string) => !Number.isNaN(Date.parse(text)) });

  return (method, path, status, body) => {
    const response = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) return `${method} ${path} documents no JSON answer with status ${status}`;

    // Error answers refer to the document's components, so they travel with each schema.
    const validate = ajv.compile({ ...schema, components: document.components });
    return validate(body) ? '' : `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`;
  };
}
