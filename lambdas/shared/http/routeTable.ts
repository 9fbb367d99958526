import type { AnyRoute, AnyRouteHandler, BodyValidator, HttpMethod } from './types.js';

/**
 * One route of a service's API as plain data: the entry of its `routes.ts`. The same declarations
 * feed the CDK stack (API Gateway resources and request models), the docs generator and the Lambda
 * (`bindRoutes`), so the three cannot drift apart.
 */
export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** API Gateway resource template, e.g. `/tasks/{task_uid}/solutions`. */
  readonly path: string;
  /**
   * Request schema file under `lambdas/<service>/requests/` (draft-04 keywords): a body is required
   * and checked by the validator generated from it. No body when absent.
   */
  readonly body?: string;
  /**
   * Whether the route honours `Idempotency-Key`.
   * @default true for POST, false otherwise
   */
  readonly idempotent?: boolean;
}

/** `"METHOD /path"` of every declaration in `R`. */
export type RouteKey<R extends RouteDeclaration> = R extends RouteDeclaration ? `${R['method']} ${R['path']}` : never;

/**
 * A handler factory per declared route, keyed `"METHOD /path"`: the compiler insists none is
 * missing and none is extra. Each factory gets the service's context once, at cold start.
 */
export type RouteHandlers<R extends RouteDeclaration, TContext> = {
  readonly [K in RouteKey<R>]: (ctx: TContext) => AnyRouteHandler;
};

/** The generated validators of a service (`requests/generated/validators.js`, imported as a namespace). */
export type Validators = Readonly<Record<string, unknown>>;

/**
 * The generated validator of a request schema file: `create-candidate.json` -> `createCandidate`
 * (the naming of `scripts/http-schemas-build.ts`). Throws at cold start when it is missing.
 *
 * @example
 * ```ts
 * import * as validators from './requests/generated/validators.js';
 * const check = validatorFor(validators, 'create-candidate.json');
 * ```
 */
export function validatorFor(validators: Validators, file: string): BodyValidator {
  const name = file.replace(/^.*\//, '').replace(/\.json$/, '').replace(/[-_.]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase());
  const validator = validators[name];
  if (typeof validator !== 'function') throw new Error(`no generated validator ${name} for ${file}: run npm run http-schemas:build`);
  return validator as BodyValidator;
}

/**
 * Binds each declared route to its handler and to the validator of its request schema: the route
 * list `createHttpApi` takes.
 *
 * @example
 * ```ts
 * const routes = bindRoutes(ROUTES, { 'POST /managers': createManager, 'GET /managers/{manager_uid}': getManager }, ctx, validators);
 * ```
 */
export function bindRoutes<R extends RouteDeclaration, TContext>(
  declared: readonly R[],
  handlers: RouteHandlers<R, TContext>,
  ctx: TContext,
  validators: Validators,
): AnyRoute[] {
  return declared.map((route) => {
    const key = `${route.method} ${route.path}` as RouteKey<R>;
    const factory = handlers[key];
    if (!factory) throw new Error(`no handler for ${key}`);
    return {
      method: route.method,
      path: route.path,
      ...(route.body === undefined ? {} : { bodySchema: validatorFor(validators, route.body) }),
      ...(route.idempotent === undefined ? {} : { idempotent: route.idempotent }),
      handler: factory(ctx),
    };
  });
}
