import { AjvCompiler } from '@fastify/ajv-compiler';
import type { ValidatorFactory } from '@fastify/ajv-compiler';

/**
 * Request validation (issue 16): bodies are JSON and are taken as sent — no type coercion, no
 * removal of unknown fields — so `text: true`, `precedence: ["FLASH"]` or a numeric `reason`
 * are refused with 400 PARLEY_E_BAD_REQUEST instead of being signed as "true". Query strings,
 * path parameters and headers arrive as strings by nature: they keep Ajv's coercion, so
 * `?limit=5` still validates against an integer schema.
 */
const STRICT = { coerceTypes: false, removeAdditional: false, useDefaults: true } as const;
const LAX = { coerceTypes: 'array', removeAdditional: false, useDefaults: true } as const;

/** The station's validator factory: strict for bodies, coercing for everything else. */
export const buildValidator: ValidatorFactory = (externalSchemas, ajvOptions) => {
  const pool = AjvCompiler();
  const plugins = ajvOptions && 'plugins' in ajvOptions ? ajvOptions.plugins : undefined;
  const strict = pool(externalSchemas, { customOptions: STRICT, ...(plugins ? { plugins } : {}) });
  const lax = pool(externalSchemas, { customOptions: LAX, ...(plugins ? { plugins } : {}) });
  return (route) => (route.httpPart === 'body' ? strict(route) : lax(route));
};
