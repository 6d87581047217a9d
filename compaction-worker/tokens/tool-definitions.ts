import { z } from 'zod';

/** A tool a model may call: OpenAI `{type, function}` or Anthropic `{name, input_schema}`. */
export interface ToolDefinition {
  type?: string;
  function?: { name: string; description?: string; parameters?: JsonSchema };
  name?: string;
  description?: string;
  input_schema?: JsonSchema;
  [key: string]: unknown;
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  [key: string]: unknown;
}

export const toolDefinitionSchema: z.ZodType<ToolDefinition> = z
  .looseObject({
    type: z.string().optional(),
    function: z
      .looseObject({
        name: z.string(),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(
    (tool) => tool.function?.name ?? tool.name,
    'a tool needs a name',
  ) as z.ZodType<ToolDefinition>;

/** One function of a tool list in a form both vendors' definitions map onto. */
export interface FunctionShape {
  name: string;
  description: string;
  properties: [string, JsonSchema][];
}

export function functionShape(tool: ToolDefinition): FunctionShape {
  const name = tool.function?.name ?? tool.name ?? '';
  const description = tool.function?.description ?? tool.description ?? '';
  const schema = tool.function?.parameters ?? tool.input_schema ?? {};
  return { name, description, properties: Object.entries(schema.properties ?? {}) };
}
