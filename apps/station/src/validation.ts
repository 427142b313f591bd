import { AjvCompiler } from '@fastify/ajv-compiler';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import { checkJsonDepth } from '@parley/core';
import type { FastifyInstance } from 'fastify';

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
  return (route) => (route.httpPart === 'body' ? strict(route) : finiteOnly(lax(route)));
};

type Validate = ((data: unknown) => boolean | PromiseLike<unknown>) & { errors?: unknown };

/**
 * Coercion turns `?limit=1e309` into Infinity and `?after=99999999999999999999` into 1e20, and
 * Ajv's integer check lets both through (Infinity % 1 is NaN). A coerced number outside the
 * safe-integer range is refused, as the schema's author meant.
 */
function finiteOnly<V extends Validate>(validate: V): V {
  const wrapped = ((data: unknown) => {
    const ok = validate(data);
    if (ok !== true) {
      wrapped.errors = validate.errors;
      return ok;
    }
    if (data !== null && typeof data === 'object')
      for (const [k, v] of Object.entries(data as Record<string, unknown>))
        if (typeof v === 'number' && !(Math.abs(v) <= Number.MAX_SAFE_INTEGER)) {
          wrapped.errors = [
            {
              instancePath: `/${k}`,
              schemaPath: '#/properties',
              keyword: 'maximum',
              params: {},
              message: 'must be a finite number within ±(2^53 − 1)',
            },
          ];
          return false;
        }
    wrapped.errors = null;
    return true;
  }) as unknown as V;
  return wrapped;
}

/**
 * The operator API's JSON parser: fastify's own (prototype poisoning refused), after a scan that
 * refuses a body nested deeper than MAX_JSON_DEPTH with 400 PARLEY_E_TOO_DEEP — a deeply nested
 * `agreement.screening` used to overflow the stack further on and answer 500.
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    try {
      checkJsonDepth(body as string, 'the request body');
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    parse(req, body as string, done);
  });
}
