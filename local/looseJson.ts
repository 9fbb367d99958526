/**
 * JSON read by property name where its shape is someone else's schema: resolved CloudFormation
 * properties in the emulators, synthesized templates and parsed AsyncAPI/OpenAPI documents in the
 * tests, API answers in the e2e and fault-injection clients. The reader converts or asserts what it
 * reads (`String(...)`, `expect(...)`), so a wrong path fails there.
 */
// biome-ignore lint/suspicious/noExplicitAny: deep reads of JSON whose schema is CloudFormation's, OpenAPI's or an API's; typing each here would copy those schemas. The one `any` of bin/, lib/, local/, scripts/ and test/.
export type LooseJson = any;

/** A JSON object read by property name (see {@link LooseJson}). */
export type LooseJsonObject = Record<string, LooseJson>;
